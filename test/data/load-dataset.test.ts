import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/errors.ts';
import { encodeIdxLabels } from '../../src/formats/idx.ts';
import { loadDataset, SYSTEM_FASHION_MNIST_DIR } from '../../src/data/load-dataset.ts';
import { fixtureSplit, tempDir, writeIdxDir } from './fixtures.ts';

describe('loadDataset from a directory of IDX files', () => {
  it('reads raw files into uint8 splits named idx', async () => {
    const dir = tempDir();
    writeIdxDir(dir, { train: 30, test: 10 });
    const dataset = await loadDataset({ dataDir: dir });
    expect(dataset).toMatchObject({ name: 'idx', source: path.resolve(dir), imageShape: [28, 28, 1], numClasses: 10 });
    expect(dataset.train.count).toBe(30);
    expect(dataset.test.count).toBe(10);
    expect(dataset.train.images).toEqual(fixtureSplit(30).images);
    expect(dataset.test.labels).toEqual(fixtureSplit(10, 100).labels);
  });

  it('reads gzipped files the same, and keeps the --data name it was given', async () => {
    const dir = tempDir();
    writeIdxDir(dir, { gzip: true });
    const dataset = await loadDataset({ data: 'fashion-mnist', dataDir: dir });
    expect(dataset.name).toBe('fashion-mnist');
    expect(Buffer.from(dataset.train.images).equals(fixtureSplit(30).images)).toBe(true);
  });

  it('rejects an image/label count mismatch, naming both files', async () => {
    const dir = tempDir();
    writeIdxDir(dir, { train: 30 });
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), encodeIdxLabels(new Uint8Array(29)));
    await expect(loadDataset({ dataDir: dir })).rejects.toThrow(
      `${path.join(dir, 'train-images-idx3-ubyte')} has 30 images but ` +
        `${path.join(dir, 'train-labels-idx1-ubyte')} has 29 labels; the counts must match`,
    );
  });

  it('rejects a split with no images as a user error naming the file', async () => {
    const dir = tempDir();
    writeIdxDir(dir, { train: 30, test: 0 });
    const loading = loadDataset({ dataDir: dir });
    await expect(loading).rejects.toThrow(UserInputError);
    await expect(loading).rejects.toThrow(
      `${path.join(dir, 't10k-images-idx3-ubyte')} holds no images; each split needs at least one`,
    );
  });

  it('names every missing file', async () => {
    const dir = tempDir();
    writeIdxDir(dir);
    fs.rmSync(path.join(dir, 't10k-images-idx3-ubyte'));
    fs.rmSync(path.join(dir, 't10k-labels-idx1-ubyte'));
    await expect(loadDataset({ dataDir: dir })).rejects.toThrow(
      `${dir}: missing IDX files t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]`,
    );
  });

  it('rejects a --data-dir that does not exist, or combined with the embedded set', async () => {
    await expect(loadDataset({ dataDir: '/no/such/dir' })).rejects.toThrow('dataDir=/no/such/dir: no such directory');
    await expect(loadDataset({ data: 'mnist', dataDir: tempDir() })).rejects.toBeInstanceOf(UserInputError);
  });
});

describe('loadDataset by name', () => {
  it('reads mnist-full from the download cache', async () => {
    const cacheDir = tempDir();
    writeIdxDir(path.join(cacheDir, 'mnist'), { gzip: true });
    const dataset = await loadDataset({ data: 'mnist-full', cacheDir });
    expect(dataset.name).toBe('mnist-full');
    expect(dataset.source).toBe(path.join(cacheDir, 'mnist'));
    expect(dataset.train.count).toBe(30);
  });

  it('tells the user to run `mnist-serve data download` when mnist-full is not cached', async () => {
    await expect(loadDataset({ data: 'mnist-full', cacheDir: tempDir() })).rejects.toThrow(
      /run `mnist-serve data download` first/,
    );
  });

  it('rejects an unknown dataset name and a bad seed', async () => {
    await expect(loadDataset({ data: 'cifar' as never })).rejects.toThrow(
      'data=cifar: expected one of mnist, mnist-full, fashion-mnist',
    );
    await expect(loadDataset({ seed: -1 })).rejects.toThrow('seed=-1: expected a non-negative integer');
  });

  it.skipIf(!fs.existsSync(SYSTEM_FASHION_MNIST_DIR))(
    "reads the full Fashion-MNIST from Debian's dataset-fashion-mnist (needs apt-get install dataset-fashion-mnist)",
    async () => {
      const dataset = await loadDataset({ data: 'fashion-mnist' });
      expect(dataset.source).toBe(SYSTEM_FASHION_MNIST_DIR);
      expect([dataset.train.count, dataset.test.count]).toEqual([60_000, 10_000]);
      expect(dataset.train.images.length).toBe(60_000 * 784);
      // The first training labels of Fashion-MNIST, as published: ankle boot, T-shirt, T-shirt, dress.
      expect(Array.from(dataset.train.labels.subarray(0, 4))).toEqual([9, 0, 0, 3]);
      // Held once as uint8: the images are a view over one decompressed buffer, not a copy.
      expect(dataset.train.images.buffer.byteLength).toBeLessThan(60_000 * 784 + 64);
    },
  );
});
