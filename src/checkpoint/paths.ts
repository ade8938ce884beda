/**
 * Where checkpoints live: numbered prefixes `DIR/ckpt-N` (N never reused, so a half-written
 * prefix from a killed run is never overwritten into something that looks whole), each with
 * `.index`, `.data-00000-of-00001` and `.json` files, and the `checkpoint` state file in DIR.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserInputError } from '../errors.ts';
import { readCheckpointState } from '../formats/checkpoint-state.ts';
import { bundleFiles } from '../formats/tensor-bundle/index.ts';
import { sidecarPath } from './meta.ts';

export const DEFAULT_CHECKPOINT_DIR = 'checkpoints';

const NUMBERED = /^ckpt-(\d+)\./;

/** The files a checkpoint prefix consists of, sidecar first (it is removed first). */
export function checkpointFiles(prefix: string): string[] {
  const bundle = bundleFiles(prefix);
  return [sidecarPath(prefix), bundle.index, bundle.data];
}

/** The next unused `ckpt-N` in `dir`, counting any file of an unfinished write too. */
export function nextCheckpointPrefix(dir: string): string {
  let highest = 0;
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const match = NUMBERED.exec(name);
    if (match) highest = Math.max(highest, Number(match[1]));
  }
  return path.join(dir, `ckpt-${highest + 1}`);
}

/** State-file entries are relative to its directory (as TensorFlow writes them) or absolute. */
export function resolveInDir(dir: string, entry: string): string {
  return path.isAbsolute(entry) ? entry : path.join(dir, entry);
}

export function relativeToDir(dir: string, prefix: string): string {
  const relative = path.relative(dir, prefix);
  return relative.startsWith('..') ? path.resolve(prefix) : relative;
}

/** The prefix the `checkpoint` state file in `dir` names as latest, or null without one. */
export function latestCheckpoint(dir: string): string | null {
  const state = readCheckpointState(dir);
  if (!state?.modelCheckpointPath) return null;
  return resolveInDir(dir, state.modelCheckpointPath);
}

/** Prefixes the state file lists (oldest first), whether or not their files still exist. */
export function listedCheckpoints(dir: string): string[] {
  const state = readCheckpointState(dir);
  return state ? state.allModelCheckpointPaths.map((entry) => resolveInDir(dir, entry)) : [];
}

/**
 * What a user typed as a checkpoint: a prefix, a prefix with one of its file suffixes, or a
 * directory (meaning its latest checkpoint).
 */
export function resolveCheckpointArgument(argument: string): string {
  if (fs.existsSync(argument) && fs.statSync(argument).isDirectory()) {
    const latest = latestCheckpoint(argument);
    if (!latest)
      throw new UserInputError(
        `${argument}: a directory without a \`checkpoint\` state file; ` +
          `name a checkpoint prefix such as ${path.join(argument, 'ckpt-1')}`,
      );
    return latest;
  }
  return argument.replace(/\.(index|data-\d{5}-of-\d{5}|json)$/, '');
}
