import { describe, expect, it } from 'vitest';
import { datasetOverCheckpoint, trainedOnDataset, type DataSourceMeta } from '../../src/checkpoint/meta.ts';

const run = { epochs: 3, batchSize: 32, seed: 7 };
const data = (fields: Partial<DataSourceMeta>): DataSourceMeta => ({
  name: 'mnist',
  source: 'embedded',
  trainSamples: 100,
  testSamples: 50,
  ...fields,
});

describe('trainedOnDataset', () => {
  it('reloads a named dataset with the seed of the run, so the test split is the same', () => {
    expect(trainedOnDataset({ data: data({ name: 'fashion-mnist' }), run })).toEqual({
      data: 'fashion-mnist',
      seed: 7,
    });
  });

  it('reloads an IDX directory by its path, without a dataset name', () => {
    expect(trainedOnDataset({ data: data({ name: 'idx', dataDir: '/data/mnist' }), run })).toEqual({
      dataDir: '/data/mnist',
      seed: 7,
    });
  });
});

describe('datasetOverCheckpoint', () => {
  const fashion = { data: data({ name: 'fashion-mnist' }), run };

  it("keeps the checkpoint's data source when only --seed is given", () => {
    expect(datasetOverCheckpoint(fashion, { seed: 1 })).toEqual({ data: 'fashion-mnist', seed: 1 });
  });

  it("keeps the checkpoint's seed when only --data-dir is given, which replaces the source", () => {
    expect(datasetOverCheckpoint(fashion, { dataDir: '/data/other' })).toEqual({ dataDir: '/data/other', seed: 7 });
  });

  it("replaces an IDX directory's source as a whole when --data mnist is given", () => {
    const idx = { data: data({ name: 'idx', dataDir: '/data/mnist' }), run };
    expect(datasetOverCheckpoint(idx, { data: 'mnist' })).toEqual({ data: 'mnist', seed: 7 });
  });

  it("is the checkpoint's dataset when no flag is given", () => {
    expect(datasetOverCheckpoint(fashion, {})).toEqual(trainedOnDataset(fashion));
  });
});
