/**
 * One entry point for every dataset source: the embedded digits (default), a user's IDX
 * directory, Fashion-MNIST from Debian's package, and the downloaded full MNIST.
 */
import fs from 'node:fs';
import { field, fieldMessage, UserInputError } from '../errors.ts';
import { datasetCacheDir } from './cache-dir.ts';
import { loadEmbeddedMnist } from './embedded-mnist.ts';
import { findIdxFile, IDX_FILE_NAMES, loadIdxDirectory } from './idx-directory.ts';
import type { Dataset } from './types.ts';

export type DatasetName = 'mnist' | 'mnist-full' | 'fashion-mnist';

export const DATASET_NAMES: readonly DatasetName[] = ['mnist', 'mnist-full', 'fashion-mnist'];

export interface DatasetOptions {
  /** Which dataset; default `mnist` (embedded), or `idx` naming when only `dataDir` is given. */
  data?: DatasetName;
  /** A directory of the four standard IDX files (raw or .gz). */
  dataDir?: string;
  /** Seed of the embedded set's train/test split; default 42. */
  seed?: number;
  /** Root of the download cache (holds `mnist/`, `fashion-mnist/`); default the XDG cache. */
  cacheDir?: string;
}

export const DEFAULT_SEED = 42;

/** Where Debian's `dataset-fashion-mnist` package installs the original archives. */
export const SYSTEM_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

function hasIdxFiles(dir: string): boolean {
  return Object.values(IDX_FILE_NAMES).every((base) => findIdxFile(dir, base) !== undefined);
}

/** The directory a named dataset is read from when no data directory is given. */
export function resolveDatasetDir(data: Exclude<DatasetName, 'mnist'>, cacheDir?: string): string {
  if (data === 'mnist-full') {
    const dir = datasetCacheDir('mnist', cacheDir);
    if (!hasIdxFiles(dir)) {
      throw new UserInputError([
        ...fieldMessage`${field('data', 'mnist-full')}: the full MNIST is not in the cache (${dir}); `,
        'run `mnist-serve data download` first, ',
        ...fieldMessage`or pass ${field('dataDir', 'DIR')} with the four IDX files`,
      ]);
    }
    return dir;
  }
  for (const dir of [SYSTEM_FASHION_MNIST_DIR, datasetCacheDir('fashion-mnist', cacheDir)]) {
    if (hasIdxFiles(dir)) return dir;
  }
  throw new UserInputError([
    ...fieldMessage`${field('data', 'fashion-mnist')}: not found in ${SYSTEM_FASHION_MNIST_DIR}; `,
    'install it with `apt-get install dataset-fashion-mnist`, ',
    ...fieldMessage`run \`mnist-serve data download ${field('dataset', 'fashion-mnist')}\`, `,
    ...fieldMessage`or pass ${field('dataDir', 'DIR')} with the four IDX files`,
  ]);
}

export async function loadDataset(options: DatasetOptions = {}): Promise<Dataset> {
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new UserInputError(fieldMessage`${field('seed', seed)}: expected a non-negative integer`);
  }
  if (options.data !== undefined && !DATASET_NAMES.includes(options.data)) {
    throw new UserInputError(fieldMessage`${field('data', options.data)}: expected one of ${DATASET_NAMES.join(', ')}`);
  }
  if (options.dataDir !== undefined) {
    if (options.data === 'mnist') {
      throw new UserInputError([
        ...fieldMessage`${field('data', 'mnist')} is the embedded set and takes no ${field('dataDir')}; `,
        ...fieldMessage`for IDX files use ${field('data', 'mnist-full')} or fashion-mnist, `,
        ...fieldMessage`or leave ${field('data')} out`,
      ]);
    }
    if (!fs.existsSync(options.dataDir))
      throw new UserInputError(fieldMessage`${field('dataDir', options.dataDir)}: no such directory`);
    return loadIdxDirectory(options.dataDir, options.data ?? 'idx');
  }
  const data = options.data ?? 'mnist';
  if (data === 'mnist') return loadEmbeddedMnist(seed);
  return loadIdxDirectory(resolveDatasetDir(data, options.cacheDir), data);
}
