import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { embeddedDigitsDir } from '../../src/data/embedded-mnist.ts';
import { loadDataset } from '../../src/data/load-dataset.ts';
import type { Split } from '../../src/data/types.ts';

const perClass = (split: Split): number[] => {
  const counts = new Array<number>(10).fill(0);
  for (const label of split.labels) counts[label] += 1;
  return counts;
};

/** Byte equality without vitest's element-by-element diffing, which is slow on millions of bytes. */
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);

const imageKey = (split: Split, i: number): string =>
  Buffer.from(split.images.subarray(i * 784, (i + 1) * 784)).toString('base64');

describe('the embedded mnist digits', async () => {
  const dataset = await loadDataset();
  const digitFiles = Array.from(
    { length: 10 },
    (_, d) =>
      (JSON.parse(fs.readFileSync(path.join(embeddedDigitsDir(), `${d}.json`), 'utf8')) as { data: number[] }).data,
  );

  it('holds all 10,000 digits of the package, 8,000 train and 2,000 test', () => {
    expect(dataset).toMatchObject({ name: 'mnist', imageShape: [28, 28, 1], numClasses: 10 });
    expect(dataset.train.count + dataset.test.count).toBe(10_000);
    expect([dataset.train.count, dataset.test.count]).toEqual([8000, 2000]);
    expect(dataset.train.images.length).toBe(8000 * 784);
  });

  it('splits every class 80/20 (the package has 863 to 1,127 digits per class)', () => {
    const totals = digitFiles.map((floats) => floats.length / 784);
    expect(perClass(dataset.test)).toEqual(totals.map((n) => Math.round(n * 0.2)));
    expect(perClass(dataset.train)).toEqual(totals.map((n) => n - Math.round(n * 0.2)));
  });

  it("recovers the original bytes exactly from the package's 3-decimal floats", () => {
    const label = dataset.train.labels[0]!;
    const image = dataset.train.images.subarray(0, 784);
    const floats = digitFiles[label]!;
    const matches = [];
    for (let sample = 0; sample < floats.length / 784; sample += 1) {
      if (image.every((byte, p) => Math.round((byte / 255) * 1000) / 1000 === floats[sample * 784 + p]))
        matches.push(sample);
    }
    expect(matches.length).toBeGreaterThanOrEqual(1);
    expect(Math.max(...image)).toBeGreaterThan(200);
  });

  it('puts no image in both splits', () => {
    const train = new Set(Array.from({ length: dataset.train.count }, (_, i) => imageKey(dataset.train, i)));
    const shared = Array.from({ length: dataset.test.count }, (_, i) => imageKey(dataset.test, i)).filter((key) =>
      train.has(key),
    );
    // The package itself repeats a few images; no more than those may appear on both sides.
    const all = digitFiles.flatMap((floats) =>
      Array.from({ length: floats.length / 784 }, (_, s) => floats.slice(s * 784, (s + 1) * 784).join()),
    );
    const duplicatesInPackage = all.length - new Set(all).size;
    expect(shared.length).toBeLessThanOrEqual(duplicatesInPackage);
  });

  it('gives the same split for the same seed and a different one for another seed', async () => {
    const again = await loadDataset({ seed: 42 });
    expect(sameBytes(again.train.labels, dataset.train.labels)).toBe(true);
    expect(sameBytes(again.test.images, dataset.test.images)).toBe(true);
    const other = await loadDataset({ seed: 7 });
    expect(sameBytes(other.train.labels, dataset.train.labels)).toBe(false);
    expect(perClass(other.test)).toEqual(perClass(dataset.test));
  });

  it('interleaves classes instead of listing them in order', () => {
    expect(new Set(dataset.train.labels.subarray(0, 50)).size).toBeGreaterThan(5);
  });
});
