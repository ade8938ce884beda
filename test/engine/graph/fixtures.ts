/** Small seeded batches and states for the graph-engine tests. */
import { seededRandom } from '../../../src/util/random.ts';

/** `count` random images in 0–1 and labels, the same for a given seed. */
export function randomBatch(count: number, seed: number): { images: Float32Array; labels: Int32Array } {
  const random = seededRandom(seed);
  const images = Float32Array.from({ length: count * 28 * 28 }, () => random());
  const labels = Int32Array.from({ length: count }, () => Math.floor(random() * 10));
  return { images, labels };
}

/** Relative L2 error of `actual` against `expected` (the absolute error where `expected` is all zeros). */
export function relativeError(actual: Float32Array, expected: Float32Array): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < expected.length; i += 1) {
    diff += (actual[i]! - expected[i]!) ** 2;
    norm += expected[i]! ** 2;
  }
  return norm === 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
}
