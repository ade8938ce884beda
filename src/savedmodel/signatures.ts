/**
 * The prediction signatures TF Serving exposes, both `tensorflow/serving/predict`:
 * `serving_default` (image → scores, classes) and the notebook's `predict_classes` (image →
 * decoded). The notebook built `decoded` from the output layer (`dense_3/Sigmoid:0`), so
 * `decoded` is the head's scores, float32 [N, 10], not class indices: its clients read ten
 * floats per image.
 */
import type { DataTypeName, SignatureDef, TensorInfo } from '../formats/proto/types.ts';
import { shapeDims, shapeProto } from '../formats/tensorflow/shape.ts';
import type { ModelSpec } from '../model/spec.ts';
import {
  DEFAULT_SIGNATURE_NAME,
  PREDICT_CLASSES_SIGNATURE_NAME,
  PREDICT_METHOD,
} from '../formats/tensorflow/constants.ts';

export interface SignatureNames {
  /** The main signature (default `serving_default`). */
  main: string;
  /** The notebook's signature, image → decoded = the head's scores (default `predict_classes`). */
  decoded: string;
}

export function servingSignatures(
  spec: ModelSpec,
  tensors: { image: string; scores: string; classes: string },
  names: SignatureNames = { main: DEFAULT_SIGNATURE_NAME, decoded: PREDICT_CLASSES_SIGNATURE_NAME },
): Record<string, SignatureDef> {
  if (names.main === names.decoded) throw new Error(`signature names must differ (both are ${names.main})`);
  const image = info(tensors.image, 'DT_FLOAT', [-1, ...spec.inputShape]);
  const scores = info(tensors.scores, 'DT_FLOAT', [-1, spec.numClasses]);
  return {
    [names.main]: {
      inputs: { image },
      outputs: { scores, classes: info(tensors.classes, 'DT_INT64', [-1]) },
      method_name: PREDICT_METHOD,
    },
    [names.decoded]: { inputs: { image }, outputs: { decoded: scores }, method_name: PREDICT_METHOD },
  };
}

function info(name: string, dtype: DataTypeName, dims: number[]): TensorInfo {
  return { name, dtype, tensor_shape: shapeProto(dims) };
}

export interface TensorSummary {
  name: string;
  dtype: string;
  /** null: unknown rank; -1: unknown dimension. */
  shape: number[] | null;
}

export interface SignatureSummary {
  name: string;
  method: string;
  inputs: Record<string, TensorSummary>;
  outputs: Record<string, TensorSummary>;
}

/** Plain summaries of a MetaGraphDef's signatures, sorted by name. */
export function summarizeSignatures(signatures: Record<string, SignatureDef>): SignatureSummary[] {
  return Object.entries(signatures)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, def]) => ({
      name,
      method: def.method_name ?? '',
      inputs: summarizeTensors(def.inputs ?? {}),
      outputs: summarizeTensors(def.outputs ?? {}),
    }));
}

function summarizeTensors(tensors: Record<string, TensorInfo>): Record<string, TensorSummary> {
  return Object.fromEntries(
    Object.entries(tensors)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, t]) => [
        key,
        { name: t.name ?? '', dtype: String(t.dtype ?? 'DT_INVALID'), shape: shapeDims(t.tensor_shape) },
      ]),
  );
}
