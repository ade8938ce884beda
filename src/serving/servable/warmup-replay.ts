/**
 * TF Serving's SavedModel warmup: `assets.extra/tf_serving_warmup_requests` is a TFRecord file of
 * PredictionLog records; each PredictRequest is replayed once at load, before the version is
 * marked AVAILABLE, so the first real request does not pay for graph initialisation.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeMessage } from '../../formats/proto/index.ts';
import type { PredictionLog__Output } from '../../formats/proto/types.ts';
import { DEFAULT_SIGNATURE_NAME } from '../../formats/tensorflow/constants.ts';
import { decodeTFRecords } from '../../formats/tfrecord.ts';
import { WARMUP_FILE } from '../../savedmodel/warmup.ts';
import { ASSETS_EXTRA_DIR } from '../../savedmodel/writer.ts';
import type { LoadedVersion } from './loaded-version.ts';
import { tensorFromProto, type TensorMap } from './host-tensor.ts';

/** Replays the version's warmup requests; returns how many ran (0 when it has no warmup file). */
export function replayWarmup(loaded: LoadedVersion): number {
  const file = path.join(loaded.dir, ASSETS_EXTRA_DIR, WARMUP_FILE);
  if (!fs.existsSync(file)) return 0;
  let replayed = 0;
  for (const record of decodeTFRecords(fs.readFileSync(file), file)) {
    const request = decodeMessage<PredictionLog__Output>('tensorflow.serving.PredictionLog', record).predict_log
      ?.request;
    if (!request)
      throw new Error(
        `${file}: record ${replayed + 1} is not a PredictLog (only predict warmup requests are supported)`,
      );
    const signature = request.model_spec?.signature_name || DEFAULT_SIGNATURE_NAME;
    const inputs: TensorMap = {};
    for (const [name, proto] of Object.entries(request.inputs ?? {})) inputs[name] = tensorFromProto(proto, name);
    loaded.run(signature, inputs);
    replayed += 1;
  }
  return replayed;
}
