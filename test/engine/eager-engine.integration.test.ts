import { describe, expect, it } from 'vitest';
import { createEagerEngine } from '../../src/engine/eager-engine.ts';
import { loadTf } from '../../src/runtime/tf.ts';
import type { TrainingState } from '../../src/model/training-state.ts';
import { defaultModelSpec, variableSpecs } from '../../src/model/spec.ts';
import { seededRandom } from '../../src/util/random.ts';
import { initialTrainingState } from '../../src/model/training-state.ts';

const spec = defaultModelSpec();

function syntheticBatch(count: number, seed: number): { images: Float32Array; labels: Int32Array } {
  const random = seededRandom(seed);
  return {
    images: Float32Array.from({ length: count * 784 }, () => random()),
    labels: Int32Array.from({ length: count }, () => Math.floor(random() * 10)),
  };
}

function maxAbsDifference(a: TrainingState, b: TrainingState): number {
  let max = 0;
  for (const [name, values] of a.variables) {
    const other = b.variables.get(name)!;
    for (let i = 0; i < values.length; i += 1) max = Math.max(max, Math.abs(values[i]! - other[i]!));
  }
  return max;
}

describe('the eager engine', () => {
  it(
    'applies Adam as Keras does: lr·√(1−β₂ᵗ)/(1−β₁ᵗ)·m/(√v+ε), ' +
      "with m and v as TF's ResourceApplyAdam updates them",
    async () => {
      const engine = await createEagerEngine(spec, initialTrainingState(spec, 7));
      const { images, labels } = syntheticBatch(16, 1);
      const { learningRate, beta1, beta2, epsilon } = spec.optimizer;
      let before = await engine.getState();
      for (let t = 1; t <= 2; t += 1) {
        await engine.trainBatch(images, labels, 16);
        const after = await engine.getState();
        expect(after.adam.step).toBe(t);
        const alpha = (learningRate * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
        for (const variable of variableSpecs(spec)) {
          const m0 = before.adam.m.get(variable.name)!;
          const m1 = after.adam.m.get(variable.name)!;
          const v0 = before.adam.v.get(variable.name)!;
          const v1 = after.adam.v.get(variable.name)!;
          const w0 = before.variables.get(variable.name)!;
          const w1 = after.variables.get(variable.name)!;
          for (let i = 0; i < w1.length; i += 97) {
            // Recover the gradient from m, then check v and the weight step against it.
            const g = (m1[i]! - m0[i]! * beta1) / (1 - beta1);
            expect(v1[i]!).toBeCloseTo(v0[i]! * beta2 + (1 - beta2) * g * g, 9);
            const step = (alpha * m1[i]!) / (Math.sqrt(v1[i]!) + epsilon);
            expect(Math.abs(w0[i]! - step - w1[i]!)).toBeLessThanOrEqual(
              1e-6 * Math.max(1, Math.abs(w1[i]!)) + 1e-4 * Math.abs(step),
            );
          }
        }
        before = after;
      }
      engine.dispose();
    },
  );

  it('learns a batch whose label is drawn into the image as a bright row band', async () => {
    const engine = await createEagerEngine(spec, initialTrainingState(spec, 3));
    const { images, labels } = syntheticBatch(32, 2);
    labels.forEach((label, n) => images.fill(1, n * 784 + label * 2 * 28 + 28 * 4, n * 784 + label * 2 * 28 + 28 * 6));
    const first = await engine.evaluate(images, labels, 32);
    for (let i = 0; i < 70; i += 1) await engine.trainBatch(images, labels, 32);
    const last = await engine.evaluate(images, labels, 32);
    expect(last.loss).toBeLessThan(first.loss * 0.5);
    expect(last.accuracy).toBeGreaterThan(0.9);
    engine.dispose();
  });

  it('gives the same weights for the same seed and batches (training is deterministic)', async () => {
    const runs: TrainingState[] = [];
    for (let run = 0; run < 2; run += 1) {
      const engine = await createEagerEngine(spec, initialTrainingState(spec, 11));
      for (let b = 0; b < 4; b += 1) {
        const { images, labels } = syntheticBatch(8, 100 + b);
        await engine.trainBatch(images, labels, 8);
      }
      runs.push(await engine.getState());
      engine.dispose();
    }
    expect(maxAbsDifference(runs[0]!, runs[1]!)).toBe(0);
  });

  it('continues from getState() in a new engine exactly where the first left off', async () => {
    const batches = [0, 1, 2, 3].map((b) => syntheticBatch(8, 200 + b));
    const straight = await createEagerEngine(spec, initialTrainingState(spec, 5));
    for (const { images, labels } of batches) await straight.trainBatch(images, labels, 8);

    const first = await createEagerEngine(spec, initialTrainingState(spec, 5));
    for (const { images, labels } of batches.slice(0, 2)) await first.trainBatch(images, labels, 8);
    const second = await createEagerEngine(spec, await first.getState());
    for (const { images, labels } of batches.slice(2)) await second.trainBatch(images, labels, 8);

    const a = await straight.getState();
    const b = await second.getState();
    expect(b.adam.step).toBe(4);
    expect(maxAbsDifference(a, b)).toBe(0);
    for (const engine of [straight, first, second]) engine.dispose();
  });

  it('predicts scores of shape [count, 10] from the head, and setState replaces the weights', async () => {
    const engine = await createEagerEngine(spec, initialTrainingState(spec, 1));
    const other = await createEagerEngine(spec, initialTrainingState(spec, 2));
    const { images } = syntheticBatch(3, 9);
    const scores = await engine.predict(images, 3);
    expect(scores).toHaveLength(30);
    expect(Array.from(scores).every((s) => s > 0 && s < 1)).toBe(true);
    await other.setState(await engine.getState());
    expect(Array.from(await other.predict(images, 3))).toEqual(Array.from(scores));
    engine.dispose();
    other.dispose();
  });

  it('holds the same number of tensors after training steps as before them (no leaks)', async () => {
    const engine = await createEagerEngine(spec, initialTrainingState(spec, 1));
    const { images, labels } = syntheticBatch(8, 4);
    await engine.trainBatch(images, labels, 8);
    const tf = await loadTf();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i += 1) {
      await engine.trainBatch(images, labels, 8);
      await engine.evaluate(images, labels, 8);
      await engine.predict(images, 8);
    }
    expect(tf.memory().numTensors).toBe(before);
    engine.dispose();
  });

  it('rejects a state whose variable does not fit the spec', async () => {
    const state = initialTrainingState(spec, 1);
    state.variables.set('dense/bias', new Float32Array(3));
    await expect(createEagerEngine(spec, state)).rejects.toThrow(/dense\/bias has 3 elements, expected 32/);
  });
});
