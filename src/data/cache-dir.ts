/** Where downloaded datasets live: $XDG_CACHE_HOME/mnist-serve/datasets, else ~/.cache/mnist-serve/datasets. */
import os from 'node:os';
import path from 'node:path';
import type { DownloadableDataset } from './pinned-files.ts';

export function defaultDatasetCacheRoot(): string {
  const cacheHome = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cacheHome, 'mnist-serve', 'datasets');
}

/** The directory holding one downloaded dataset's four `.gz` files. */
export function datasetCacheDir(dataset: DownloadableDataset, cacheRoot: string = defaultDatasetCacheRoot()): string {
  return path.join(cacheRoot, dataset);
}
