import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/load-dataset.ts';
import { gatherBatch } from '../../src/data/batches.ts';
import { createEngine } from '../../src/engine/create-engine.ts';
import { initialTrainingState } from '../../src/model/training-state.ts';
import { defaultModelSpec } from '../../src/model/spec.ts';

/**
 * One step from zero slots: m = (1 − β₁)g, v = (1 − β₂)g², and Keras's (TensorFlow's
 * ResourceApplyAdam's) update w −= lr·√(1 − β₂)/(1 − β₁) · m / (√v + ε), epsilon outside the
 * bias correction. Checked against what each engine actually applied.
 */
describe.each(['eager', 'graph'] as const)("the spec's Adam settings as the %s engine applies them", (kind) => {
  it('one step updates every weight by lr·√(1−β₂)/(1−β₁)·m/(√v + ε) with lr 0.001, β 0.9/0.999, ε 1e-7', async () => {
    const spec = defaultModelSpec();
    const { learningRate, beta1, beta2, epsilon } = spec.optimizer;
    const dataset = await loadDataset({});
    const batch = gatherBatch(dataset.train, null, 0, 32);
    const before = initialTrainingState(spec, 42);
    const engine = await createEngine(kind, spec, initialTrainingState(spec, 42));
    try {
      await engine.trainBatch(batch.images, batch.labels, batch.count);
      const after = await engine.getState();
      expect(after.adam.step).toBe(1);
      const alpha = (learningRate * Math.sqrt(1 - beta2)) / (1 - beta1);
      let largestStep = 0;
      let worstUpdate = 0;
      let worstSecondMoment = 0;
      let epsilonPlacementEffect = 0;
      for (const [name, w0] of before.variables) {
        const w1 = after.variables.get(name)!;
        const m = after.adam.m.get(name)!;
        const v = after.adam.v.get(name)!;
        for (let i = 0; i < w0.length; i += 1) {
          const g = m[i]! / (1 - beta1);
          const expectedV = (1 - beta2) * g * g;
          worstSecondMoment = Math.max(worstSecondMoment, Math.abs(v[i]! - expectedV) / (expectedV || 1));
          const step = (alpha * m[i]!) / (Math.sqrt(v[i]!) + epsilon);
          largestStep = Math.max(largestStep, Math.abs(step));
          // The paper's form, epsilon after the bias correction: what this test must tell apart.
          const paperStep = (learningRate * g) / (Math.abs(g) + epsilon);
          epsilonPlacementEffect = Math.max(epsilonPlacementEffect, Math.abs(step - paperStep));
          worstUpdate = Math.max(worstUpdate, Math.abs(w0[i]! - step - w1[i]!));
        }
      }
      // float32 round-off: weights are ~0.1 (ulp ~7e-9); TensorFlow's kernel takes β₂ as float32,
      // whose 1 − β₂ is 1.3e-5 off 0.001 relatively.
      expect(worstSecondMoment).toBeLessThan(5e-5);
      expect(worstUpdate).toBeLessThan(5e-8);
      expect(epsilonPlacementEffect).toBeGreaterThan(1e-6);
      // |step| = lr·|g|/(|g| + ε/√(1−β₂)) approaches lr for gradients far above ε.
      expect(largestStep).toBeLessThanOrEqual(learningRate * (1 + 1e-6));
      expect(largestStep).toBeGreaterThan(learningRate * 0.99);
    } finally {
      engine.dispose();
    }
  });
});
