/**
 * A directory of the four standard IDX files (each raw or gzipped), as MNIST and Fashion-MNIST
 * are distributed: train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
 * t10k-labels-idx1-ubyte.
 */
import fs from 'node:fs';
import path from 'node:path';
import { field, fieldMessage, UserInputError } from '../errors.ts';
import { readIdxImages, readIdxLabels } from '../formats/idx.ts';
import type { Dataset, Split } from './types.ts';

export const IDX_FILE_NAMES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export const IMAGE_ROWS = 28;
export const IMAGE_COLS = 28;
export const NUM_CLASSES = 10;

/** The path of `base` in `dir`, raw or `.gz` (raw wins when both exist), or undefined. */
export function findIdxFile(dir: string, base: string): string | undefined {
  for (const candidate of [base, `${base}.gz`]) {
    const full = path.join(dir, candidate);
    if (fs.existsSync(full)) return full;
  }
  return undefined;
}

/** The four files' paths; throws naming every missing one. */
export function idxFilePaths(dir: string): Record<keyof typeof IDX_FILE_NAMES, string> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new UserInputError(fieldMessage`${field('dataDir', dir)}: not a directory`);
  }
  const entries = Object.entries(IDX_FILE_NAMES).map(([key, base]) => [key, findIdxFile(dir, base)] as const);
  const missing = entries
    .filter(([, found]) => !found)
    .map(([key]) => IDX_FILE_NAMES[key as keyof typeof IDX_FILE_NAMES]);
  if (missing.length > 0) {
    throw new UserInputError(
      `${dir}: missing IDX file${missing.length > 1 ? 's' : ''} ${missing.map((m) => `${m}[.gz]`).join(', ')}`,
    );
  }
  return Object.fromEntries(entries) as Record<keyof typeof IDX_FILE_NAMES, string>;
}

async function readSplit(imagesPath: string, labelsPath: string): Promise<Split> {
  // Streamed: each file is inflated only as far as its header declares, into one buffer of that size.
  const [images, labels] = await Promise.all([
    readIdxImages(fs.createReadStream(imagesPath), imagesPath, { rows: IMAGE_ROWS, cols: IMAGE_COLS }),
    readIdxLabels(fs.createReadStream(labelsPath), labelsPath, NUM_CLASSES),
  ]);
  if (images.count !== labels.length) {
    throw new UserInputError(
      `${imagesPath} has ${images.count} images but ${labelsPath} has ${labels.length} labels; the counts must match`,
    );
  }
  // An empty split would only fail later, as a division by zero in training or evaluation.
  if (images.count === 0) throw new UserInputError(`${imagesPath} holds no images; each split needs at least one`);
  return { images: images.data, labels, count: images.count };
}

/** Loads a directory of IDX files as a Dataset called `name`. */
export async function loadIdxDirectory(dir: string, name: string): Promise<Dataset> {
  const paths = idxFilePaths(dir);
  const train = await readSplit(paths.trainImages, paths.trainLabels);
  const test = await readSplit(paths.testImages, paths.testLabels);
  return {
    name,
    source: path.resolve(dir),
    imageShape: [IMAGE_ROWS, IMAGE_COLS, 1],
    numClasses: NUM_CLASSES,
    train,
    test,
  };
}
