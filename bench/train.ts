/**
 * `npm run bench:train`: training throughput of the graph and eager engines (and Keras, when
 * Python TensorFlow is installed) on full Fashion-MNIST, one epoch each at batch 32 and 128,
 * every run in its own process so its peak RSS is its own. Writes bench/results/train.json.
 * Each engine runs as `train` runs it (one TF intra-op thread, `train --intra-op-threads 1`) and
 * with TensorFlow's default pool of one thread per core (`…TfThreads`): the pool spins between
 * the small ops of a step, so one thread is faster for this model; both are reported.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveDatasetDir } from '../src/data/load-dataset.ts';
import { loadTf } from '../src/runtime/tf.ts';
import { writeFileAtomic } from '../src/util/atomic-write.ts';
import { runKerasEpoch } from './train-keras.ts';

const BATCH_SIZES = [32, 128];
const SEED = 42;
/** The targets: graph ≥ 4× eager at batch 32, ahead of Keras, under 1.5 GB. */
const TARGET_RATIO_AT_32 = 4;
const TARGET_PEAK_RSS_MB = 1536;
/** What `train` sets by default (--intra-op-threads 1). */
const TRAIN_THREADS = { TF_NUM_INTRAOP_THREADS: '1' };

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const resultsFile = path.join(benchDir, 'results', 'train.json');

interface RunResult {
  engine: string;
  samplesPerSecond: number;
  peakRssMB: number;
  testAccuracy: number;
  [field: string]: unknown;
}

function runEngine(engine: 'graph' | 'eager', batchSize: number, env: Record<string, string> = {}): RunResult {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(benchDir, 'train-run.ts'), engine, String(batchSize), String(SEED)],
    {
      encoding: 'utf8',
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', ...env },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  if (result.status !== 0)
    throw new Error(`${engine} at batch ${batchSize} failed: ${result.stderr.trim().split('\n').slice(-5).join('\n')}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as RunResult;
}

const tf = await loadTf();
const dataDir = resolveDatasetDir('fashion-mnist');
const runs = [];
for (const batchSize of BATCH_SIZES) {
  process.stderr.write(`batch ${batchSize}: graph…`);
  const graph = runEngine('graph', batchSize, TRAIN_THREADS);
  process.stderr.write(` ${graph.samplesPerSecond.toFixed(0)}/s; graph, TF's thread pool…`);
  const graphTfThreads = runEngine('graph', batchSize);
  process.stderr.write(` ${graphTfThreads.samplesPerSecond.toFixed(0)}/s; eager…`);
  const eager = runEngine('eager', batchSize, TRAIN_THREADS);
  process.stderr.write(` ${eager.samplesPerSecond.toFixed(0)}/s; eager, TF's thread pool…`);
  const eagerTfThreads = runEngine('eager', batchSize);
  process.stderr.write(` ${eagerTfThreads.samplesPerSecond.toFixed(0)}/s; keras…`);
  const keras = runKerasEpoch(dataDir, batchSize, SEED);
  process.stderr.write(keras ? ` ${keras.samplesPerSecond.toFixed(0)}/s\n` : ' not installed\n');
  runs.push({
    batchSize,
    graph,
    graphTfThreads,
    eager,
    eagerTfThreads,
    keras,
    graphOverEager: graph.samplesPerSecond / eager.samplesPerSecond,
    /** Against eager at whichever thread setting is faster for it. */
    graphOverBestEager: graph.samplesPerSecond / Math.max(eager.samplesPerSecond, eagerTfThreads.samplesPerSecond),
    graphOverKeras: keras ? graph.samplesPerSecond / keras.samplesPerSecond : null,
  });
}

const at32 = runs.find((r) => r.batchSize === 32)!;
const report = {
  date: new Date().toISOString(),
  machine: {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    node: process.version,
    tensorflow: (tf.backend() as unknown as { binding: { TF_Version: string } }).binding.TF_Version,
    loadAverageAfter: os.loadavg(),
  },
  dataset: { name: 'fashion-mnist', source: dataDir, trainSamples: 60000, testSamples: 10000 },
  runs,
  targets: {
    graphAtLeast4xEagerAt32: at32.graphOverBestEager >= TARGET_RATIO_AT_32,
    graphAheadOfKerasAt32: at32.graphOverKeras === null ? null : at32.graphOverKeras > 1,
    graphPeakRssUnder1_5GB: runs.every((r) => r.graph.peakRssMB < TARGET_PEAK_RSS_MB),
  },
};
fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
writeFileAtomic(resultsFile, `${JSON.stringify(report, null, 2)}\n`);

const row = (r: RunResult | null) =>
  r
    ? `${r.samplesPerSecond.toFixed(0).padStart(7)}/s ` +
      `${r.peakRssMB.toFixed(0).padStart(5)} MB ${(r.testAccuracy * 100).toFixed(1)}%`
    : '      —';
for (const r of runs) {
  process.stdout.write(
    `batch ${r.batchSize}\n  graph              ${row(r.graph)}\n  graph, TF threads  ${row(r.graphTfThreads)}\n`,
  );
  process.stdout.write(
    `  eager              ${row(r.eager)}\n` +
      `  eager, TF threads  ${row(r.eagerTfThreads)}\n` +
      `  keras              ${row(r.keras)}\n`,
  );
  const overKeras = r.graphOverKeras === null ? '' : `, graph/keras ${r.graphOverKeras.toFixed(2)}×`;
  process.stdout.write(
    `  graph/eager ${r.graphOverEager.toFixed(2)}× (vs best eager ${r.graphOverBestEager.toFixed(2)}×)${overKeras}\n`,
  );
}
process.stdout.write(`targets ${JSON.stringify(report.targets)}\nwrote ${path.relative(process.cwd(), resultsFile)}\n`);
