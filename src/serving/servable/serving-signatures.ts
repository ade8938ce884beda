/**
 * The signatures of one SavedModel version, read from `saved_model.pb` without TensorFlow: what
 * requests are validated against and what the metadata API reports.
 */
import type { SignatureDef, TensorInfo } from '../../formats/proto/types.ts';
import { readSavedModel } from '../../savedmodel/reader.ts';

export const SERVING_TAG = 'serve';
export const DEFAULT_SIGNATURE = 'serving_default';

/** Signatures a client can call: TF's internal `__saved_model_init_op` entry is not one. */
export function readServingSignatures(versionDir: string): Record<string, SignatureDef> {
  const { metaGraph } = readSavedModel(versionDir, { tag: SERVING_TAG });
  const signatures = Object.entries(metaGraph.signature_def ?? {}).filter(([name]) => !name.startsWith('__'));
  if (signatures.length === 0) throw new Error(`${versionDir}: the SavedModel has no signatures`);
  return Object.fromEntries(signatures);
}

/** Declared shape of a signature tensor (-1 for a dimension of any size); undefined: unknown rank. */
export function declaredShape(info: TensorInfo): number[] | undefined {
  if (!info.tensor_shape || info.tensor_shape.unknown_rank) return undefined;
  return (info.tensor_shape.dim ?? []).map((dim) => Number(dim.size ?? 0));
}
