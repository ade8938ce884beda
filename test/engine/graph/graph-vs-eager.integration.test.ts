import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gatherBatch, shuffledIndices } from '../../../src/data/batches.ts';
import { loadDataset } from '../../../src/data/load-dataset.ts';
import type { Dataset, Split } from '../../../src/data/types.ts';
import { createEngine } from '../../../src/engine/create-engine.ts';
import type { TrainingEngine } from '../../../src/engine/training-engine.ts';
import type { EngineKind, TrainingState } from '../../../src/model/training-state.ts';
import { defaultModelSpec, variableSpecs, type Head, type ModelSpec } from '../../../src/model/spec.ts';
import { evaluateSplit } from '../../../src/training/evaluate.ts';
import { initialTrainingState } from '../../../src/model/training-state.ts';
import { relativeError } from './fixtures.ts';

const BATCH = 32;
const SEED = 3;

function head(split: Split, count: number): Split {
  return { images: split.images.subarray(0, count * 784), labels: split.labels.subarray(0, count), count };
}

/** Trains `epochs` seeded epochs (from `fromEpoch`) and returns every batch's loss. */
async function train(engine: TrainingEngine, split: Split, epochs: number, fromEpoch = 0): Promise<number[]> {
  const losses: number[] = [];
  for (let epoch = fromEpoch; epoch < fromEpoch + epochs; epoch += 1) {
    const order = shuffledIndices(split.count, SEED, epoch);
    for (let start = 0; start < split.count; start += BATCH) {
      const batch = gatherBatch(split, order, start, BATCH);
      losses.push((await engine.trainBatch(batch.images, batch.labels, batch.count)).loss);
    }
  }
  return losses;
}

function expectStatesClose(actual: TrainingState, expected: TrainingState, spec: ModelSpec, tolerance: number): void {
  expect(actual.adam.step).toBe(expected.adam.step);
  for (const { name } of variableSpecs(spec)) {
    expect(relativeError(actual.variables.get(name)!, expected.variables.get(name)!), name).toBeLessThanOrEqual(
      tolerance,
    );
    expect(relativeError(actual.adam.m.get(name)!, expected.adam.m.get(name)!), `m of ${name}`).toBeLessThanOrEqual(
      tolerance,
    );
    expect(relativeError(actual.adam.v.get(name)!, expected.adam.v.get(name)!), `v of ${name}`).toBeLessThanOrEqual(
      tolerance,
    );
  }
}

describe('the graph engine against the eager reference', () => {
  let dataset: Dataset;
  const engines: TrainingEngine[] = [];
  const make = async (kind: EngineKind, spec: ModelSpec, state: TrainingState) => {
    const engine = await createEngine(kind, spec, state);
    engines.push(engine);
    return engine;
  };
  beforeAll(async () => {
    dataset = await loadDataset({ seed: SEED });
  });
  afterEach(() => engines.splice(0).forEach((e) => e.dispose()));

  it.each<Head>(['sigmoid', 'softmax'])(
    'learns the same curve and test accuracy (within 0.5 pp) with the %s head',
    async (headKind) => {
      const spec = defaultModelSpec({ head: headKind });
      const trainSplit = head(dataset.train, 1024);
      const testSplit = head(dataset.test, 1000);
      const results = [];
      for (const kind of ['eager', 'graph'] as const) {
        const engine = await make(kind, spec, initialTrainingState(spec, SEED));
        const losses = await train(engine, trainSplit, 2);
        results.push({ losses, test: await evaluateSplit(engine, testSplit) });
      }
      const [eager, graph] = results as [(typeof results)[0], (typeof results)[0]];
      expect(graph.losses).toHaveLength(64);
      graph.losses.forEach((loss, step) =>
        expect(Math.abs(loss - eager.losses[step]!), `loss at step ${step}`).toBeLessThan(1e-3),
      );
      expect(eager.losses.at(-1)!).toBeLessThan(eager.losses[0]! * 0.7);
      expect(Math.abs(graph.test.accuracy - eager.test.accuracy)).toBeLessThanOrEqual(0.005);
      expect(Math.abs(graph.test.loss - eager.test.loss)).toBeLessThan(0.01);
    },
  );

  it('hands its exact state to a new engine of either kind, step counter included', async () => {
    const spec = defaultModelSpec();
    const graph = await make('graph', spec, initialTrainingState(spec, SEED));
    await train(graph, head(dataset.train, 96), 1);
    const trained = await graph.getState();
    expect(trained.adam.step).toBe(3);
    for (const kind of ['eager', 'graph'] as const) {
      const restored = await (await make(kind, spec, trained)).getState();
      expectStatesClose(restored, trained, spec, 0);
    }
    const eager = await make('eager', spec, initialTrainingState(spec, 1));
    await eager.setState(trained);
    expectStatesClose(await eager.getState(), trained, spec, 0);
    await graph.setState(initialTrainingState(spec, 1));
    expectStatesClose(await graph.getState(), initialTrainingState(spec, 1), spec, 0);
  });

  it.each<[EngineKind, EngineKind]>([
    ['eager', 'graph'],
    ['graph', 'eager'],
  ])('resumes a run from %s on %s as if it had not switched', async (first, second) => {
    const spec = defaultModelSpec();
    const split = head(dataset.train, 128);
    const original = await make(first, spec, initialTrainingState(spec, SEED));
    await train(original, split, 1);
    const midway = await original.getState();
    const continued = await train(original, split, 1, 1);
    const switched = await make(second, spec, midway);
    const resumed = await train(switched, split, 1, 1);
    resumed.forEach((loss, step) =>
      expect(Math.abs(loss - continued[step]!), `loss at step ${step}`).toBeLessThan(1e-3),
    );
    expectStatesClose(await switched.getState(), await original.getState(), spec, 1e-3);
  });
});
