/**
 * Writing and pruning checkpoints. A save is ordered so that a crash at any point leaves either
 * the previous checkpoints or the new one, never a loadable half: the bundle (data file, then
 * index, each atomically), then the sidecar, then the `checkpoint` state file naming it.
 * Removal goes the other way: state file first, then the sidecar, then the bundle.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TrainingState } from '../model/training-state.ts';
import { field, fieldMessage, UserInputError } from '../errors.ts';
import { writeCheckpointState } from '../formats/checkpoint-state.ts';
import { writeTensorBundle } from '../formats/tensor-bundle/index.ts';
import { loadCheckpoint } from './load.ts';
import { sidecarPath, writeSidecar, type CheckpointMeta } from './meta.ts';
import { checkpointFiles, latestCheckpoint, listedCheckpoints, nextCheckpointPrefix, relativeToDir } from './paths.ts';
import { stateToTensors } from './state-tensors.ts';

export interface SavedCheckpoint {
  prefix: string;
  /** Older prefixes deleted to keep the newest `keep`. */
  removed: string[];
}

function writeCheckpoint(prefix: string, state: TrainingState, meta: CheckpointMeta): void {
  writeTensorBundle(
    prefix,
    stateToTensors(meta.spec, state, { epoch: meta.epoch, batch: meta.batch }, { weightsOnly: meta.weightsOnly }),
  );
  writeSidecar(prefix, meta);
}

export function removeCheckpointFiles(prefix: string): void {
  for (const file of checkpointFiles(prefix)) fs.rmSync(file, { force: true });
}

function writeState(dir: string, latest: string, all: string[]): void {
  writeCheckpointState(dir, {
    modelCheckpointPath: relativeToDir(dir, latest),
    allModelCheckpointPaths: all.map((prefix) => relativeToDir(dir, prefix)),
  });
}

/** Saves the next `ckpt-N` in `dir`, names it latest, and deletes all but the newest `keep`. */
export function saveCheckpoint(dir: string, state: TrainingState, meta: CheckpointMeta, keep: number): SavedCheckpoint {
  if (!Number.isInteger(keep) || keep < 1)
    throw new UserInputError(fieldMessage`${field('keep', keep)}: expected a positive integer`);
  fs.mkdirSync(dir, { recursive: true });
  const prefix = nextCheckpointPrefix(dir);
  writeCheckpoint(prefix, state, meta);
  const all = [...listedCheckpoints(dir).filter((p) => p !== prefix && fs.existsSync(sidecarPath(p))), prefix];
  const kept = all.slice(-keep);
  writeState(dir, prefix, kept);
  const removed = all.slice(0, all.length - kept.length);
  removed.forEach(removeCheckpointFiles);
  return { prefix, removed };
}

/**
 * The notebook's `ModelCheckpoint(save_weights_only=True)`: one weights-only checkpoint at a
 * fixed prefix, rewritten each epoch. Its old sidecar goes first, so a crash mid-rewrite leaves
 * a prefix that does not load rather than new weights under old metadata.
 */
export function saveWeightsAt(prefix: string, state: TrainingState, meta: CheckpointMeta): void {
  const dir = path.dirname(prefix);
  fs.mkdirSync(dir, { recursive: true });
  fs.rmSync(sidecarPath(prefix), { force: true });
  writeCheckpoint(prefix, state, { ...meta, weightsOnly: true });
  writeState(dir, prefix, [prefix]);
}

/** Keeps the newest `keep` checkpoints the state file lists (and always the latest). */
export function pruneCheckpoints(dir: string, keep: number): { kept: string[]; removed: string[] } {
  if (!Number.isInteger(keep) || keep < 1)
    throw new UserInputError(fieldMessage`${field('keep', keep)}: expected a positive integer`);
  const latest = latestCheckpoint(dir);
  if (!latest) throw new UserInputError(`${path.join(dir, 'checkpoint')}: no such file; nothing to prune in ${dir}`);
  const all = listedCheckpoints(dir);
  const older = all.filter((prefix) => prefix !== latest);
  const kept = [...older.slice(older.length - (keep - 1)), latest];
  const removed = all.filter((prefix) => !kept.includes(prefix));
  writeState(dir, latest, kept);
  removed.forEach(removeCheckpointFiles);
  return { kept, removed };
}

/**
 * Makes a verified checkpoint the latest of its directory (what --resume and export read), as
 * TensorFlow's update_checkpoint_state does: it moves to the end of the kept list.
 */
export async function promoteCheckpoint(prefix: string): Promise<string> {
  await loadCheckpoint(prefix);
  const dir = path.dirname(prefix);
  const others = listedCheckpoints(dir).filter((p) => path.resolve(p) !== path.resolve(prefix));
  writeState(dir, prefix, [...others, prefix]);
  return prefix;
}
