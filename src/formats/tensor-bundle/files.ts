/** Tensor bundles on disk: PREFIX.index and PREFIX.data-00000-of-00001, written atomically. */
import fs from 'node:fs';
import { UserInputError } from '../../errors.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import {
  decodeBundleIndex,
  decodeTensorBundle,
  encodeTensorBundle,
  type BundleEntryInfo,
  type BundleTensor,
} from './bundle.ts';

export function bundleFiles(prefix: string): { index: string; data: string } {
  return { index: `${prefix}.index`, data: `${prefix}.data-00000-of-00001` };
}

/** A bundle file's bytes; a missing or unreadable file is a user error naming it. */
export function readBundleFile(file: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserInputError(`${file}: no such file (is the checkpoint prefix right?)`);
    throw new UserInputError(`${file}: cannot be read (${code ?? (error as Error).message})`);
  }
}

/** The tensors a bundle holds, from its index alone (block checksums verified). */
export function listTensorBundle(prefix: string): BundleEntryInfo[] {
  const files = bundleFiles(prefix);
  return decodeBundleIndex(readBundleFile(files.index), files.index);
}

/** Every tensor of the bundle, with every block and tensor checksum verified. */
export function readTensorBundle(prefix: string): BundleTensor[] {
  const files = bundleFiles(prefix);
  const index = readBundleFile(files.index);
  const data = readBundleFile(files.data);
  return decodeTensorBundle(index, data, files);
}

/**
 * Writes the data file, then the index, each atomically: a reader that finds the index finds
 * the data it describes (TensorFlow's own writer has the same order).
 */
export function writeTensorBundle(prefix: string, tensors: BundleTensor[]): void {
  const { index, data } = encodeTensorBundle(tensors);
  const files = bundleFiles(prefix);
  writeFileAtomic(files.data, data);
  writeFileAtomic(files.index, index);
}
