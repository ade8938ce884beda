/**
 * One benchmark measurement in its own process, so peak RSS is this engine's alone:
 *   tsx bench/train-run.ts <eager|graph> <batchSize> <seed>
 * Trains one epoch of full Fashion-MNIST from the seeded Glorot start, evaluates on the test
 * split, and prints one JSON object on stdout.
 */
import os from 'node:os';
import { loadDataset } from '../src/data/load-dataset.ts';
import { createEngine } from '../src/engine/create-engine.ts';
import type { EngineKind } from '../src/model/training-state.ts';
import { defaultModelSpec } from '../src/model/spec.ts';
import { evaluateSplit } from '../src/training/evaluate.ts';
import { initialTrainingState } from '../src/model/training-state.ts';
import { timeEpoch } from './train-epoch.ts';

const [kind, batchArg, seedArg] = process.argv.slice(2);
if ((kind !== 'eager' && kind !== 'graph') || !batchArg || !seedArg) {
  throw new Error('usage: tsx bench/train-run.ts <eager|graph> <batchSize> <seed>');
}
const batchSize = Number(batchArg);
const seed = Number(seedArg);

const dataset = await loadDataset({ data: 'fashion-mnist' });
const spec = defaultModelSpec();
const engine = await createEngine(kind as EngineKind, spec, initialTrainingState(spec, seed));
const cpuBefore = process.cpuUsage();
const load = os.loadavg()[0]!;
const epoch = await timeEpoch(engine, dataset.train, batchSize, seed, 0);
const cpu = process.cpuUsage(cpuBefore);
const test = await evaluateSplit(engine, dataset.test);
engine.dispose();

process.stdout.write(
  `${JSON.stringify({
    engine: kind,
    batchSize,
    samples: epoch.samples,
    seconds: epoch.seconds,
    samplesPerSecond: epoch.samplesPerSecond,
    cpuSecondsPerThousandSamples: ((cpu.user + cpu.system) / 1e6 / epoch.samples) * 1000,
    trainLoss: epoch.loss,
    trainAccuracy: epoch.accuracy,
    testLoss: test.loss,
    testAccuracy: test.accuracy,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    loadAverageAtStart: load,
  })}\n`,
);
