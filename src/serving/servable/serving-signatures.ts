/**
 * The signatures of one SavedModel version, read from `saved_model.pb` without TensorFlow: what
 * requests are validated against and what the metadata API reports.
 */
import type { SignatureDef__Output } from '../../formats/proto/types.ts';
import { INTERNAL_SIGNATURE_PREFIX, SERVE_TAG } from '../../formats/tensorflow/constants.ts';
import { readSavedModel } from '../../savedmodel/reader.ts';

/** Signatures a client can call: TF's internal `__saved_model_init_op` entry is not one. */
export function readServingSignatures(versionDir: string): Record<string, SignatureDef__Output> {
  const { metaGraph } = readSavedModel(versionDir, { tag: SERVE_TAG });
  const signatures = Object.entries(metaGraph.signature_def ?? {}).filter(
    ([name]) => !name.startsWith(INTERNAL_SIGNATURE_PREFIX),
  );
  if (signatures.length === 0) throw new Error(`${versionDir}: the SavedModel has no signatures`);
  return Object.fromEntries(signatures);
}
