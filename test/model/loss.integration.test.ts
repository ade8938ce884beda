import { beforeAll, describe, expect, it } from 'vitest';
import { loadTf, type Tf } from '../../src/runtime/tf.ts';
import { KERAS_EPSILON, sparseCategoricalCrossEntropy } from '../../src/model/forward.ts';

let tf: Tf;

beforeAll(async () => {
  tf = await loadTf();
});

/** The eager engine's loss of `scores` (rows of class scores) against `labels`. */
function loss(scores: number[][], labels: number[]): number {
  return tf.tidy(
    () => sparseCategoricalCrossEntropy(tf, tf.tensor2d(scores), tf.tensor1d(labels, 'int32')).dataSync()[0]!,
  );
}

describe("the sigmoid head's loss, as Keras computes sparse categorical cross-entropy with from_logits=False", () => {
  it('normalises the scores to sum 1 before the log: [0.9, 0.8, 0.1], label 0 → -ln(0.9 / 1.8) = ln 2', () => {
    expect(loss([[0.9, 0.8, 0.1]], [0])).toBeCloseTo(Math.LN2, 6);
    expect(loss([[0.9, 0.8, 0.1]], [2])).toBeCloseTo(-Math.log(0.1 / 1.8), 5);
  });

  it('clips the normalised score to [1e-7, 1 - 1e-7], so a zero score costs -ln(1e-7), not infinity', () => {
    expect(KERAS_EPSILON).toBe(1e-7);
    expect(loss([[1, 0, 0]], [1])).toBeCloseTo(-Math.log(1e-7), 4);
    // A perfect score is clipped too: -ln(1 - 1e-7) ≈ 1e-7, not 0 (float32 rounds it to about 1.19e-7).
    expect(loss([[1, 0, 0]], [0])).toBeGreaterThan(0);
    expect(loss([[1, 0, 0]], [0])).toBeLessThan(2e-7);
  });

  it('averages over the batch', () => {
    const expected = (Math.LN2 + -Math.log(0.5 / 2)) / 2;
    expect(
      loss(
        [
          [0.9, 0.8, 0.1],
          [0.5, 0.5, 1],
        ],
        [0, 1],
      ),
    ).toBeCloseTo(expected, 6);
  });

  it('on softmax scores, which already sum to 1, is the plain -ln p of the label', () => {
    expect(loss([[0.7, 0.2, 0.1]], [1])).toBeCloseTo(-Math.log(0.2), 6);
  });
});
