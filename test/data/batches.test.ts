import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/errors.ts';
import { firstSamples, gatherBatch, normalizedImage, shuffledIndices } from '../../src/data/batches.ts';
import type { Split } from '../../src/data/types.ts';

/** Four 2×2 "images": image i has pixels [i, 255, 0, 51·i], label 9 − i. */
const split: Split = {
  images: Uint8Array.of(0, 255, 0, 0, 1, 255, 0, 51, 2, 255, 0, 102, 3, 255, 0, 153),
  labels: Uint8Array.of(9, 8, 7, 6),
  count: 4,
};

describe('shuffledIndices', () => {
  it('is a permutation of 0…count-1', () => {
    const order = shuffledIndices(1000, 42, 0);
    expect(order).toBeInstanceOf(Int32Array);
    expect(Array.from(order).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(order)).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('is the same for the same seed and epoch, and differs across epochs and seeds', () => {
    expect(shuffledIndices(500, 42, 3)).toEqual(shuffledIndices(500, 42, 3));
    expect(shuffledIndices(500, 42, 3)).not.toEqual(shuffledIndices(500, 42, 4));
    expect(shuffledIndices(500, 42, 3)).not.toEqual(shuffledIndices(500, 43, 3));
  });
});

describe('gatherBatch', () => {
  it('converts only the batch to float32 ÷ 255 and int32 labels, in the given order', () => {
    const batch = gatherBatch(split, Int32Array.of(2, 0, 3, 1), 1, 2);
    expect(batch.count).toBe(2);
    expect(Array.from(batch.images)).toEqual([0, 255, 0, 0, 3, 255, 0, 153].map((v) => Math.fround(v / 255)));
    expect(batch.images[1]).toBe(1);
    expect(Array.from(batch.labels)).toEqual([9, 6]);
    expect(batch.images).toBeInstanceOf(Float32Array);
    expect(batch.labels).toBeInstanceOf(Int32Array);
  });

  it('takes the split in its own order when indices is null, and returns a short last batch', () => {
    const batch = gatherBatch(split, null, 3, 2);
    expect(batch.count).toBe(1);
    expect(batch.images.length).toBe(4);
    expect(Array.from(batch.labels)).toEqual([6]);
    expect(gatherBatch(split, null, 4, 2).count).toBe(0);
  });

  it("fills the caller's buffers and returns views of the used part", () => {
    const out = { images: new Float32Array(8).fill(-1), labels: new Int32Array(2).fill(-1) };
    const full = gatherBatch(split, null, 0, 2, out);
    expect(full.images.buffer).toBe(out.images.buffer);
    expect(full.labels.buffer).toBe(out.labels.buffer);
    const last = gatherBatch(split, null, 3, 2, out);
    expect(last.images.buffer).toBe(out.images.buffer);
    expect(last.images.length).toBe(4);
    expect(Array.from(last.labels)).toEqual([6]);
  });
});

describe('normalizedImage', () => {
  it('is one image as float32 ÷ 255, the same values a training batch holds', () => {
    expect(Array.from(normalizedImage(split, 2))).toEqual(Array.from(Float32Array.of(2 / 255, 1, 0, 102 / 255)));
    expect(normalizedImage(split, 3)).toEqual(gatherBatch(split, null, 3, 1).images);
  });

  it('refuses an index outside the split', () => {
    expect(() => normalizedImage(split, 4)).toThrow(RangeError);
    expect(() => normalizedImage(split, -1)).toThrow(RangeError);
  });
});

describe('firstSamples', () => {
  it('keeps the first N images and labels as views, or the whole split for undefined or N ≥ count', () => {
    const first = firstSamples(split, 2, 'trainSamples');
    expect(first.count).toBe(2);
    expect(Array.from(first.images)).toEqual([0, 255, 0, 0, 1, 255, 0, 51]);
    expect(Array.from(first.labels)).toEqual([9, 8]);
    expect(first.images.buffer).toBe(split.images.buffer);
    expect(firstSamples(split, undefined, 'trainSamples')).toBe(split);
    expect(firstSamples(split, 10, 'trainSamples').count).toBe(4);
  });

  it('names the field and its value when N is not a positive integer', () => {
    expect(() => firstSamples(split, 0, 'testSamples')).toThrow(UserInputError);
    expect(() => firstSamples(split, 1.5, 'testSamples')).toThrow('testSamples=1.5: expected a positive integer');
  });
});
