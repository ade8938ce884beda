/**
 * A SavedModel's scores and classes for every image of a split, through the TensorFlow C API
 * (the loader TF Serving runs): what the accuracy gate, the baseline gate and the report compare.
 */
import type * as tfjs from '@tensorflow/tfjs-node';
import { gatherBatch } from '../data/batches.ts';
import type { Split } from '../data/types.ts';
import { UserInputError } from '../errors.ts';
import { withoutInt64Warning, type Tf } from '../runtime/tf.ts';
import { readSavedModel } from './reader.ts';
import { DEFAULT_SIGNATURE_NAME, SERVE_TAG } from '../formats/tensorflow/constants.ts';
import { shapeDims } from '../formats/tensorflow/shape.ts';

/** Images per batch: amortises the per-call overhead, keeps memory flat. */
export const PREDICTION_BATCH_SIZE = 500;

/** The input key every signature of ours (and the notebook's) takes. */
const IMAGE_INPUT = 'image';
/** Float [N, classes] outputs, by preference: ours, then the notebook's `predict_classes` output. */
const SCORE_OUTPUTS = ['scores', 'decoded'] as const;

export interface ScoringSignature {
  name: string;
  /** The output key holding float scores [N, classes]. */
  output: string;
  /** The image shape without the batch dimension, e.g. [28, 28, 1]. */
  imageShape: number[];
  numClasses: number;
}

export interface SplitPredictions {
  count: number;
  numClasses: number;
  /** count × numClasses scores, row-major. */
  scores: Float32Array;
  /** The arg-max of each row. */
  classes: Int32Array;
}

/**
 * The signature that maps `image` to float scores: `preferred` if it does, else `serving_default`,
 * else the first that does. Read from saved_model.pb alone, so a wrong directory fails fast.
 */
export function scoringSignature(dir: string, preferred = DEFAULT_SIGNATURE_NAME): ScoringSignature {
  const signatures = readSavedModel(dir).metaGraph.signature_def ?? {};
  const names = [preferred, DEFAULT_SIGNATURE_NAME, ...Object.keys(signatures).sort()];
  for (const name of names) {
    const signature = signatures[name];
    const image = signature?.inputs?.[IMAGE_INPUT];
    const output = SCORE_OUTPUTS.find((key) => signature?.outputs?.[key]?.dtype === 'DT_FLOAT');
    const dims = (info: typeof image) => shapeDims(info?.tensor_shape) ?? [];
    if (!image || !output) continue;
    const imageDims = dims(image);
    const scoreDims = dims(signature!.outputs![output]);
    if (imageDims.length < 2 || scoreDims.length !== 2 || scoreDims[1]! < 1) continue;
    return { name, output, imageShape: imageDims.slice(1), numClasses: scoreDims[1]! };
  }
  throw new UserInputError(
    `${dir}: no signature maps an "${IMAGE_INPUT}" input to float scores (${SCORE_OUTPUTS.join(' or ')} [N, classes])`,
  );
}

/**
 * Runs every image of `split` through `signature`. The uint8 split is converted to float32 one
 * batch at a time into one reused buffer, so a 10k split never has a whole float32 copy.
 */
export async function savedModelPredictions(
  tf: Tf,
  dir: string,
  signature: ScoringSignature,
  split: Split,
  batchSize = PREDICTION_BATCH_SIZE,
): Promise<SplitPredictions> {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batch size ${batchSize}: expected a positive integer`);
  const { numClasses, imageShape } = signature;
  const pixels = imageShape.reduce((a, b) => a * b, 1);
  if (split.count > 0 && split.images.length !== split.count * pixels) {
    throw new UserInputError(
      `${dir}: signature ${signature.name} takes images of shape [${imageShape.join(', ')}], the test split's differ`,
    );
  }
  const scores = new Float32Array(split.count * numClasses);
  const model = await tf.node.loadSavedModel(dir, [SERVE_TAG], signature.name);
  const buffers = {
    images: new Float32Array(Math.min(batchSize, split.count) * pixels),
    labels: new Int32Array(Math.min(batchSize, split.count)),
  };
  try {
    for (let start = 0; start < split.count; start += batchSize) {
      const { images, count } = gatherBatch(split, null, start, batchSize, buffers);
      const batch = tf.tensor4d(images, [count, ...imageShape] as [number, number, number, number]);
      try {
        const outputs = withoutInt64Warning(() => model.predict({ [IMAGE_INPUT]: batch })) as tfjs.NamedTensorMap;
        try {
          scores.set((await outputs[signature.output]!.data()) as Float32Array, start * numClasses);
        } finally {
          for (const tensor of Object.values(outputs)) tensor.dispose();
        }
      } finally {
        batch.dispose();
      }
    }
  } finally {
    model.dispose();
  }
  return { count: split.count, numClasses, scores, classes: argMaxRows(scores, numClasses) };
}

/** The first highest score's index in each row, as tf.argMax picks it. */
function argMaxRows(scores: Float32Array, numClasses: number): Int32Array {
  const classes = new Int32Array(scores.length / numClasses);
  for (let row = 0; row < classes.length; row += 1) {
    let best = 0;
    for (let k = 1; k < numClasses; k += 1)
      if (scores[row * numClasses + k]! > scores[row * numClasses + best]!) best = k;
    classes[row] = best;
  }
  return classes;
}

/** Fraction of `classes` equal to `labels` (0 for an empty split). */
export function accuracyOf(classes: ArrayLike<number>, labels: ArrayLike<number>): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i += 1) if (classes[i] === labels[i]) correct += 1;
  return labels.length === 0 ? 0 : correct / labels.length;
}
