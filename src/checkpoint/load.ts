/** Loading and verifying one checkpoint prefix: sidecar, then every tensor with its checksum. */
import fs from 'node:fs';
import { UserInputError } from '../errors.ts';
import type { TrainingState } from '../model/training-state.ts';
import { crc32c } from '../formats/crc32c.ts';
import {
  bundleFiles,
  listTensorBundle,
  readBundleFile,
  readTensorBundle,
  type BundleEntryInfo,
} from '../formats/tensor-bundle/index.ts';
import type { ModelSpec } from '../model/spec.ts';
import { readSidecar, type CheckpointMeta } from './meta.ts';
import { tensorsToState, type TrainingPosition } from './state-tensors.ts';

export interface LoadedCheckpoint {
  prefix: string;
  spec: ModelSpec;
  state: TrainingState;
  meta: CheckpointMeta;
  position: TrainingPosition;
}

/**
 * Reads a checkpoint for training, evaluation or export. Throws UserInputError naming the file
 * (and tensor) when the sidecar is missing, a checksum does not match or a tensor does not fit
 * the spec: a damaged checkpoint is never loaded.
 */
export async function loadCheckpoint(prefix: string): Promise<LoadedCheckpoint> {
  const { index } = bundleFiles(prefix);
  if (!fs.existsSync(index)) throw new UserInputError(`${index}: no such file (is the checkpoint prefix right?)`);
  const meta = readSidecar(prefix);
  const tensors = readTensorBundle(prefix);
  const { state, position } = tensorsToState(meta.spec, tensors, index);
  return { prefix, spec: meta.spec, state, meta, position };
}

export interface TensorReport extends BundleEntryInfo {
  /** `ok`, `checksum mismatch`, or `out of range` (the data file is shorter than the index says). */
  status: 'ok' | 'checksum mismatch' | 'out of range';
}

/**
 * Every tensor of the bundle with its own checksum status (unlike loading, which stops at the
 * first bad one). The index's own block checksums must hold for the listing to exist at all.
 */
export function verifyTensors(prefix: string): TensorReport[] {
  const entries = listTensorBundle(prefix);
  const data = readBundleFile(bundleFiles(prefix).data);
  return entries.map((entry) => {
    if (entry.offset + entry.size > data.length) return { ...entry, status: 'out of range' };
    const bytes = data.subarray(entry.offset, entry.offset + entry.size);
    // String tensors are checksummed over lengths and bytes; this project stores none.
    const status = entry.dtype === 'string' || crc32c(bytes) === entry.crc32c ? 'ok' : 'checksum mismatch';
    return { ...entry, status };
  });
}
