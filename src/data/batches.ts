/**
 * Training order and batches. Splits stay uint8; each batch is converted to float32 (÷255, as
 * Keras' `x.astype('float32') / 255`) on its own, so a 60k split never has a whole float32 copy.
 */
import { field, fieldMessage, UserInputError } from '../errors.ts';
import { deriveSeed, seededRandom, shuffleInPlace } from '../util/random.ts';
import type { Split } from './types.ts';

/** float32(v / 255) for every byte: the same values numpy's float32 division gives. */
const SCALED = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** A permutation of 0…count-1, fixed by (seed, epoch) and different from one epoch to the next. */
export function shuffledIndices(count: number, seed: number, epoch: number): Int32Array {
  const indices = Int32Array.from({ length: count }, (_, i) => i);
  return shuffleInPlace(indices, seededRandom(deriveSeed(seed, `epoch-${epoch}`)));
}

export interface Batch {
  /** count × pixels-per-image values in 0–1. */
  images: Float32Array;
  labels: Int32Array;
  count: number;
}

/**
 * Samples `start` … `start + size - 1` of the order `indices` (null: the split's own order), or
 * fewer at the end. With `out`, its buffers are filled and views of the used part returned.
 */
export function gatherBatch(
  split: Split,
  indices: Int32Array | null,
  start: number,
  size: number,
  out?: { images: Float32Array; labels: Int32Array },
): Batch {
  const total = indices ? indices.length : split.count;
  const count = Math.max(0, Math.min(size, total - start));
  const pixels = split.count > 0 ? split.images.length / split.count : 0;
  const images =
    out && out.images.length >= count * pixels
      ? out.images.subarray(0, count * pixels)
      : new Float32Array(count * pixels);
  const labels = out && out.labels.length >= count ? out.labels.subarray(0, count) : new Int32Array(count);
  for (let i = 0; i < count; i += 1) {
    const sample = indices ? indices[start + i]! : start + i;
    const source = sample * pixels;
    const target = i * pixels;
    for (let p = 0; p < pixels; p += 1) images[target + p] = SCALED[split.images[source + p]!]!;
    labels[i] = split.labels[sample]!;
  }
  return { images, labels, count };
}

/** Image `index` of the split as float32 values in 0–1, scaled like every training batch. */
export function normalizedImage(split: Split, index: number): Float32Array {
  if (!Number.isInteger(index) || index < 0 || index >= split.count)
    throw new RangeError(`image ${index} is outside 0…${split.count - 1}`);
  return gatherBatch(split, null, index, 1).images;
}

/** The first `limit` samples of a split (all of them when undefined); `limitField` names the limit in errors. */
export function firstSamples(split: Split, limit: number | undefined, limitField: string): Split {
  if (limit === undefined) return split;
  if (!Number.isInteger(limit) || limit < 1)
    throw new UserInputError(fieldMessage`${field(limitField, limit)}: expected a positive integer`);
  const count = Math.min(limit, split.count);
  const pixels = split.count ? split.images.length / split.count : 0;
  return { images: split.images.subarray(0, count * pixels), labels: split.labels.subarray(0, count), count };
}
