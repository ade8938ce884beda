/**
 * Writes a TF1-style SavedModel into an existing directory, as `SavedModelBuilder.
 * add_meta_graph_and_variables` does:
 *   saved_model.pb                              SavedModel { schema 1, one MetaGraphDef }
 *   variables/variables.{index,data-00000-of-00001}   tensor bundle the saver restores
 *   assets.extra/<file>                         ignored by loaders; TF Serving reads its warmup file here
 * The MetaGraphDef carries the graph, the saver_def whose restore op loaders run, the signatures
 * and the variable collections TF2's loader needs to lift resource variables.
 */
import fs from 'node:fs';
import path from 'node:path';
import { encodeMessage } from '../formats/proto/index.ts';
import type { CollectionDef, GraphDef, SavedModel, SaverDef, SignatureDef } from '../formats/proto/types.ts';
import { writeTensorBundle, type BundleTensor } from '../formats/tensor-bundle/index.ts';
import { SERVE_TAG, TENSORFLOW_VERSION } from '../formats/tensorflow/constants.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';

import { SAVED_MODEL_FILE } from '../storage/versions.ts';

export { SAVED_MODEL_FILE };
export const VARIABLES_PREFIX = path.join('variables', 'variables');
export const ASSETS_EXTRA_DIR = 'assets.extra';

export interface SavedModelContent {
  graphDef: GraphDef;
  signatures: Record<string, SignatureDef>;
  saverDef: SaverDef;
  /** The tensors the saver restores, named as its RestoreV2 names them. */
  variables: BundleTensor[];
  /** Default `['serve']`. */
  tags?: string[];
  /** MetaGraphDef collections, e.g. `variableCollections(...)` from src/graph/variables.ts. */
  collections?: Record<string, CollectionDef>;
  /** Files for `assets.extra/`, by file name. */
  assetsExtra?: Record<string, Uint8Array>;
}

export function encodeSavedModel(
  content: Pick<SavedModelContent, 'graphDef' | 'signatures' | 'saverDef' | 'tags' | 'collections'>,
): Uint8Array {
  const savedModel: SavedModel = {
    saved_model_schema_version: 1,
    meta_graphs: [
      {
        meta_info_def: {
          tags: content.tags ?? [SERVE_TAG],
          tensorflow_version: TENSORFLOW_VERSION,
          tensorflow_git_version: 'mnist-serve',
        },
        graph_def: content.graphDef,
        saver_def: content.saverDef,
        collection_def: content.collections ?? {},
        signature_def: content.signatures,
      },
    ],
  };
  return encodeMessage('tensorflow.SavedModel', savedModel);
}

/** Writes the SavedModel's files into `dir`, which must exist (e.g. a staging directory). */
export function writeSavedModel(dir: string, content: SavedModelContent): void {
  if (!fs.statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
  fs.mkdirSync(path.join(dir, 'variables'), { recursive: true });
  if (content.variables.length > 0) writeTensorBundle(path.join(dir, VARIABLES_PREFIX), content.variables);
  for (const [name, bytes] of Object.entries(content.assetsExtra ?? {})) {
    if (name !== path.basename(name)) throw new Error(`assets.extra file name ${name} must not contain a directory`);
    writeFileAtomic(path.join(dir, ASSETS_EXTRA_DIR, name), bytes);
  }
  // saved_model.pb last: a directory with it is complete.
  writeFileAtomic(path.join(dir, SAVED_MODEL_FILE), encodeSavedModel(content));
}
