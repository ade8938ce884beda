/**
 * Reads a SavedModel directory's `saved_model.pb` — ours or one TensorFlow wrote (TF1 or TF2) —
 * with protobuf decoding alone: no TensorFlow is loaded, so it answers in milliseconds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserInputError } from '../errors.ts';
import { decodeMessage } from '../formats/proto/index.ts';
import type { MetaGraphDef__Output, SavedModel__Output } from '../formats/proto/types.ts';
import { SERVE_TAG } from '../formats/tensorflow/constants.ts';
import { SAVED_MODEL_FILE } from './writer.ts';

export interface LoadedSavedModel {
  dir: string;
  savedModel: SavedModel__Output;
  /** The MetaGraphDef whose tags include the requested tag. */
  metaGraph: MetaGraphDef__Output;
}

/** Decodes `dir/saved_model.pb`; every problem is a UserInputError naming the path or tag. */
export function readSavedModel(dir: string, options: { tag?: string } = {}): LoadedSavedModel {
  const tag = options.tag ?? SERVE_TAG;
  const savedModel = decodeSavedModelFile(dir);
  const metaGraphs = savedModel.meta_graphs ?? [];
  const metaGraph = metaGraphs.find((m) => (m.meta_info_def?.tags ?? []).includes(tag));
  if (!metaGraph) {
    const available = metaGraphs.map((m) => (m.meta_info_def?.tags ?? []).join(',') || '(no tags)');
    throw new UserInputError(`${dir}: no MetaGraphDef with tag "${tag}" (available tag-sets: ${available.join('; ')})`);
  }
  return { dir, savedModel, metaGraph };
}

export function decodeSavedModelFile(dir: string): SavedModel__Output {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new UserInputError(`${dir}: no such SavedModel directory`);
  }
  if (!stat.isDirectory())
    throw new UserInputError(`${dir}: not a directory (expected a SavedModel directory holding ${SAVED_MODEL_FILE})`);
  const file = path.join(dir, SAVED_MODEL_FILE);
  if (!fs.existsSync(file)) {
    const hint = fs.existsSync(path.join(dir, 'saved_model.pbtxt'))
      ? ' (it has saved_model.pbtxt; only the binary form is read)'
      : '';
    throw new UserInputError(`${dir}: not a SavedModel directory: ${SAVED_MODEL_FILE} is missing${hint}`);
  }
  let savedModel: SavedModel__Output;
  try {
    savedModel = decodeMessage<SavedModel__Output>('tensorflow.SavedModel', fs.readFileSync(file));
  } catch (error) {
    throw new UserInputError(`${file}: not a valid SavedModel protobuf (${(error as Error).message})`);
  }
  if ((savedModel.meta_graphs ?? []).length === 0) {
    throw new UserInputError(`${file}: not a valid SavedModel protobuf (it holds no MetaGraphDef)`);
  }
  return savedModel;
}
