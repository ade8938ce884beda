/**
 * TF Serving's SavedModel warmup file, `assets.extra/tf_serving_warmup_requests`: a TFRecord of
 * `tensorflow.serving.PredictionLog` records, each a PredictRequest that TF Serving replays when it
 * loads the version, so the first real request does not pay for graph initialisation.
 * TF Serving reads at most 1000 records.
 */
import { encodeMessage } from '../formats/proto/index.ts';
import { encodeTFRecords } from '../formats/tfrecord.ts';
import { encodeTensorContent } from '../formats/tensorflow/tensor-proto.ts';

export const WARMUP_FILE = 'tf_serving_warmup_requests';
export const MAX_WARMUP_REQUESTS = 1000;

export interface WarmupOptions {
  modelName: string;
  /** Request i calls signatureNames[i % length], so every signature clients call is warm. */
  signatureNames: string[];
  /** The signature's input key, `image`. */
  inputKey: string;
  /** [height, width, channels] of one image. */
  imageShape: number[];
}

/** One single-image PredictRequest per image (`images` holds them back to back, 0–1 floats). */
export function encodeWarmupRequests(images: Float32Array, count: number, options: WarmupOptions): Uint8Array {
  if (options.signatureNames.length === 0) throw new Error('warmup requests need at least one signature name');
  const pixels = options.imageShape.reduce((a, b) => a * b, 1);
  const records: Uint8Array[] = [];
  for (let i = 0; i < count; i += 1) {
    const image = images.subarray(i * pixels, (i + 1) * pixels);
    records.push(
      encodeMessage('tensorflow.serving.PredictionLog', {
        predict_log: {
          request: {
            model_spec: {
              name: options.modelName,
              signature_name: options.signatureNames[i % options.signatureNames.length],
            },
            inputs: {
              [options.inputKey]: encodeTensorContent({
                dtype: 'DT_FLOAT',
                shape: [1, ...options.imageShape],
                values: image,
              }),
            },
          },
        },
      }),
    );
  }
  return encodeTFRecords(records);
}
