import { describe, expect, it } from 'vitest';
import { trainedOnDataset, type DataSourceMeta } from '../../src/checkpoint/meta.ts';

const run = { epochs: 3, batchSize: 32, seed: 7 };
const data = (fields: Partial<DataSourceMeta>): DataSourceMeta => ({ name: 'mnist', source: 'embedded', trainSamples: 100, testSamples: 50, ...fields });

describe('trainedOnDataset', () => {
  it('reloads a named dataset with the seed of the run, so the test split is the same', () => {
    expect(trainedOnDataset({ data: data({ name: 'fashion-mnist' }), run })).toEqual({ data: 'fashion-mnist', seed: 7 });
  });

  it('reloads an IDX directory by its path, without a dataset name', () => {
    expect(trainedOnDataset({ data: data({ name: 'idx', dataDir: '/data/mnist' }), run })).toEqual({ dataDir: '/data/mnist', seed: 7 });
  });
});
