/**
 * The `checkpoint` state file TensorFlow keeps beside its checkpoints (text-format
 * CheckpointState): `model_checkpoint_path` names the latest prefix and one
 * `all_model_checkpoint_paths` per kept prefix, oldest first. Paths are relative to the
 * directory, as TF 2's CheckpointManager writes them, so the directory can be moved;
 * `tf.train.latest_checkpoint(dir)` reads this file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserInputError } from '../errors.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { formatTextProto, parseTextProto, type TextProtoFields } from './text-proto.ts';

export const CHECKPOINT_STATE_FILE = 'checkpoint';

export interface CheckpointState {
  modelCheckpointPath: string;
  allModelCheckpointPaths: string[];
}

function strings(fields: TextProtoFields, field: string, file: string): string[] {
  return (fields[field] ?? []).map((value) => {
    if (typeof value !== 'string') throw new UserInputError(`${file}: field ${field} must be a quoted string`);
    return value;
  });
}

/**
 * The state in `dir`, or null when it has no state file. Paths come back as written: relative
 * to `dir` (TF 1 savers wrote absolute ones; path.resolve(dir, p) handles both).
 */
export function readCheckpointState(dir: string): CheckpointState | null {
  const file = path.join(dir, CHECKPOINT_STATE_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new UserInputError(
      `${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  const fields = parseTextProto(text, file);
  const latest = strings(fields, 'model_checkpoint_path', file);
  if (latest.length !== 1 || latest[0] === '') {
    throw new UserInputError(
      `${file}: expected exactly one non-empty model_checkpoint_path, ` +
        `found ${latest.length === 1 ? 'an empty one' : latest.length}`,
    );
  }
  return {
    modelCheckpointPath: latest[0]!,
    allModelCheckpointPaths: strings(fields, 'all_model_checkpoint_paths', file),
  };
}

/** Writes the state file atomically; absolute paths inside `dir` are stored relative to it. */
export function writeCheckpointState(dir: string, state: CheckpointState): void {
  const relative = (prefix: string) => (path.isAbsolute(prefix) ? path.relative(dir, prefix) : prefix);
  const text = formatTextProto({
    model_checkpoint_path: relative(state.modelCheckpointPath),
    all_model_checkpoint_paths: state.allModelCheckpointPaths.map(relative),
  });
  writeFileAtomic(path.join(dir, CHECKPOINT_STATE_FILE), text);
}
