import { describe, expect, it } from 'vitest';
import { loadTf } from '../../src/runtime/tf.ts';

describe('the tfjs-node binding on the TensorFlow C library', () => {
  it('runs on the native tensorflow backend with TensorFlow 2.21', async () => {
    const tf = await loadTf();
    expect(tf.getBackend()).toBe('tensorflow');
    const binding = (tf.backend() as unknown as { binding: { TF_Version: string } }).binding;
    expect(binding.TF_Version).toMatch(/^2\.21\./);
  });

  it('computes a matMul exactly', async () => {
    const tf = await loadTf();
    const product = tf.matMul(
      tf.tensor2d([
        [1, 2],
        [3, 4],
      ]),
      tf.tensor2d([
        [5, 6],
        [7, 8],
      ]),
    );
    expect(product.arraySync()).toEqual([
      [19, 22],
      [43, 50],
    ]);
  });

  it('computes a valid 3x3 conv2d with known values', async () => {
    const tf = await loadTf();
    // A 4x4 ramp image convolved with an all-ones 3x3 kernel: each output is a 3x3 window sum.
    const image = tf.tensor4d(
      Array.from({ length: 16 }, (_, i) => i),
      [1, 4, 4, 1],
    );
    const kernel = tf.ones([3, 3, 1, 1]) as import('@tensorflow/tfjs-node').Tensor4D;
    const out = tf.conv2d(image, kernel, 1, 'valid');
    expect(out.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(out.dataSync())).toEqual([45, 54, 81, 90]);
  });
});
