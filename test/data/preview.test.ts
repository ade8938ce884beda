import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { asciiArt, checkIndex, imagesPng, pixelRows } from '../../src/data/preview.ts';
import type { Dataset } from '../../src/data/types.ts';
import { fixtureSplit } from './fixtures.ts';

function fixtureDataset(): Dataset {
  const train = fixtureSplit(5);
  // Image 0: a bright 2×3 block at rows 1–2, columns 4–6 on black.
  train.images.fill(0, 0, 784);
  for (const r of [1, 2]) train.images.fill(255, r * 28 + 4, r * 28 + 7);
  return {
    name: 'idx',
    source: 'test',
    imageShape: [28, 28, 1],
    numClasses: 10,
    train: { ...train, count: 5 },
    test: { ...train, count: 5 },
  };
}

describe('sample previews', () => {
  const dataset = fixtureDataset();

  it('draws an image as 28 rows of ASCII, two characters per pixel', () => {
    const art = asciiArt(dataset, dataset.train, 0);
    expect(art).toHaveLength(28);
    expect(art[0]).toBe('');
    expect(art[1]).toBe(`${' '.repeat(8)}${'@'.repeat(6)}`);
    expect(art[3]).toBe('');
  });

  it('gives the pixel rows as numbers for --json', () => {
    const rows = pixelRows(dataset, dataset.train, 0);
    expect(rows).toHaveLength(28);
    expect(rows[1]!.slice(3, 8)).toEqual([0, 255, 255, 255, 0]);
  });

  it('writes a grayscale PNG of one image scaled up, with the exact pixel values', () => {
    const png = PNG.sync.read(Buffer.from(imagesPng(dataset, dataset.train, [0], 1, 2)));
    expect([png.width, png.height]).toEqual([56, 56]);
    const at = (x: number, y: number): number => png.data[(y * png.width + x) * 4]!;
    expect(at(8, 2)).toBe(255);
    expect(at(13, 5)).toBe(255);
    expect(at(14, 2)).toBe(0);
    expect(at(0, 0)).toBe(0);
  });

  it('lays a 4×4 grid out row by row with a grey gap between images', () => {
    const png = PNG.sync.read(
      Buffer.from(imagesPng(dataset, dataset.train, [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0], 4, 1)),
    );
    expect([png.width, png.height]).toEqual([4 * 28 + 3, 4 * 28 + 3]);
    const at = (x: number, y: number): number => png.data[(y * png.width + x) * 4]!;
    expect(at(28, 10)).toBe(128);
    expect(at(3, 29 + 3)).toBe(dataset.train.images[4 * 784]!);
    expect(at(29, 0)).toBe(dataset.train.images[784]!);
  });

  it('rejects an index outside the split with its valid range', () => {
    expect(() => checkIndex(dataset.train, 'train', 5)).toThrow(
      'index=5: expected an integer from 0 to 4 (the train split has 5 images)',
    );
  });
});
