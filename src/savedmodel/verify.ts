/**
 * Checks a staged SavedModel through the TensorFlow C API (`tf.node.loadSavedModel`, the same
 * loader code TF Serving runs): every signature is run on real images and compared with the
 * tfjs forward pass on the same weights.
 */
import type * as tfjs from '@tensorflow/tfjs-node';
import { withoutInt64Warning, type Tf } from '../runtime/tf.ts';
import { forward } from '../model/forward.ts';
import { variableSpecs, type ModelSpec } from '../model/spec.ts';
import { SERVE_TAG } from '../formats/tensorflow/constants.ts';
import type { SignatureNames } from './signatures.ts';

/** Largest |SavedModel − forward()| accepted for the scores and for decoded. */
export const VERIFY_TOLERANCE = 1e-5;

export interface VerificationResult {
  images: number;
  /** Over the main signature's `scores` and the decoded signature's `decoded`. */
  maxAbsDiff: number;
  tolerance: number;
  /** The main signature's classes equal the arg-max of the reference scores. */
  classesAgree: boolean;
  signatures: string[];
  passed: boolean;
}

/** `images`: `count` images back to back, floats in 0–1. */
export async function verifySavedModel(
  tf: Tf,
  dir: string,
  spec: ModelSpec,
  weights: ReadonlyMap<string, Float32Array>,
  images: Float32Array,
  count: number,
  names: SignatureNames,
): Promise<VerificationResult> {
  return withImages(tf, spec, images, count, async (batch) => {
    const reference = tf.tidy(() => {
      const shapes = new Map(variableSpecs(spec).map((v) => [v.name, v.shape]));
      return forward(tf, spec, (name) => tf.tensor(weights.get(name)!, shapes.get(name)!), batch);
    });
    const referenceClasses = tf.argMax(reference, -1);
    const expectedScores = (await reference.data()) as Float32Array;
    const expectedClasses = Array.from((await referenceClasses.data()) as Int32Array);
    tf.dispose([reference, referenceClasses]);

    const main = await runSignature(tf, dir, names.main, batch);
    const decoded = await runSignature(tf, dir, names.decoded, batch);
    const maxAbsDiff = Math.max(
      maxDifference(main.scores, expectedScores),
      maxDifference(decoded.decoded, expectedScores),
    );
    const classesAgree = sameNumbers(main.classes!, expectedClasses);
    return {
      images: count,
      maxAbsDiff,
      tolerance: VERIFY_TOLERANCE,
      classesAgree,
      signatures: [names.main, names.decoded],
      passed: maxAbsDiff <= VERIFY_TOLERANCE && classesAgree,
    };
  });
}

async function withImages<T>(
  tf: Tf,
  spec: ModelSpec,
  images: Float32Array,
  count: number,
  run: (batch: tfjs.Tensor4D) => Promise<T>,
): Promise<T> {
  const batch = tf.tensor4d(images, [count, ...spec.inputShape]);
  try {
    return await run(batch);
  } finally {
    batch.dispose();
  }
}

async function runSignature(
  tf: Tf,
  dir: string,
  signature: string,
  batch: tfjs.Tensor4D,
): Promise<Record<string, ArrayLike<number>>> {
  const model = await tf.node.loadSavedModel(dir, [SERVE_TAG], signature);
  try {
    const outputs = withoutInt64Warning(() => model.predict({ image: batch })) as tfjs.NamedTensorMap;
    const values: Record<string, ArrayLike<number>> = {};
    for (const [key, tensor] of Object.entries(outputs)) {
      values[key] = tensor.dtype === 'float32' ? ((await tensor.data()) as Float32Array) : numbers(await tensor.data());
      tensor.dispose();
    }
    return values;
  } finally {
    model.dispose();
  }
}

/** int64 outputs arrive as BigInt64Array. */
function numbers(data: ArrayLike<number | bigint> | Iterable<number | bigint>): number[] {
  return Array.from(data as Iterable<number | bigint>, Number);
}

/** Largest |actual − expected|; infinite when an output is missing or has another size. */
function maxDifference(actual: ArrayLike<number> | undefined, expected: Float32Array): number {
  if (!actual || actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < expected.length; i += 1) max = Math.max(max, Math.abs(actual[i]! - expected[i]!));
  return max;
}

function sameNumbers(a: ArrayLike<number>, b: number[]): boolean {
  return a.length === b.length && b.every((value, i) => a[i] === value);
}
