import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGraphEngine } from '../../../src/engine/graph/graph-engine.ts';
import { loadTf } from '../../../src/runtime/tf.ts';
import { defaultModelSpec } from '../../../src/model/spec.ts';
import { initialTrainingState } from '../../../src/model/training-state.ts';
import { randomBatch } from './fixtures.ts';

const spec = defaultModelSpec();
const engineDirs = () => fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('mnist-serve-graph-engine-'));

describe('the graph engine', () => {
  it('keeps each engine in its own session: training one leaves another untouched', async () => {
    const start = initialTrainingState(spec, 5);
    const [a, b] = [await createGraphEngine(spec, start), await createGraphEngine(spec, start)];
    try {
      const { images, labels } = randomBatch(8, 1);
      await a.trainBatch(images, labels, 8);
      const [stateA, stateB] = [await a.getState(), await b.getState()];
      expect(stateA.adam.step).toBe(1);
      expect(stateB.adam.step).toBe(0);
      expect(stateB.variables.get('dense/kernel')).toEqual(start.variables.get('dense/kernel'));
      expect(stateA.variables.get('dense/kernel')).not.toEqual(start.variables.get('dense/kernel'));
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('evaluates without changing the state, and trains on a short last batch', async () => {
    const engine = await createGraphEngine(spec, initialTrainingState(spec, 5));
    try {
      const { images, labels } = randomBatch(5, 2);
      const before = await engine.getState();
      const metrics = await engine.evaluate(images, labels, 5);
      expect(metrics.loss).toBeGreaterThan(0);
      expect(metrics.accuracy * 5).toBeCloseTo(Math.round(metrics.accuracy * 5), 5);
      expect(await engine.getState()).toEqual(before);
      await engine.trainBatch(images, labels, 3);
      expect((await engine.getState()).adam.step).toBe(1);
    } finally {
      engine.dispose();
    }
  });

  it('frees every tensor it creates for a call', async () => {
    const tf = await loadTf();
    const engine = await createGraphEngine(spec, initialTrainingState(spec, 5));
    try {
      const { images, labels } = randomBatch(4, 4);
      const before = tf.memory().numTensors;
      await engine.trainBatch(images, labels, 4);
      await engine.evaluate(images, labels, 4);
      await engine.predict(images, 4);
      await engine.gradients(images, labels, 4);
      await engine.setState(await engine.getState());
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      engine.dispose();
    }
  });

  it('removes its temporary SavedModel on dispose and refuses work afterwards', async () => {
    const before = new Set(engineDirs());
    const engine = await createGraphEngine(spec, initialTrainingState(spec, 5));
    const created = engineDirs().filter((name) => !before.has(name));
    expect(created).toHaveLength(1);
    expect(fs.existsSync(path.join(os.tmpdir(), created[0]!, 'saved_model.pb'))).toBe(true);
    engine.dispose();
    expect(fs.existsSync(path.join(os.tmpdir(), created[0]!))).toBe(false);
    const { images, labels } = randomBatch(2, 3);
    await expect(engine.trainBatch(images, labels, 2)).rejects.toThrow(/disposed/);
  });

  it('names the missing tensor when a state lacks one', async () => {
    const state = initialTrainingState(spec, 5);
    state.adam.v.delete('conv2d_1/bias');
    await expect(createGraphEngine(spec, state)).rejects.toThrow('training state has no adam/v/conv2d_1/bias');
  });
});
