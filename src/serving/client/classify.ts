/**
 * `predict`'s core: send MNIST-style inputs to a server and read back, per input, the predicted
 * class and the highest scores.
 */
import { OperationalError } from '../../errors.ts';
import * as restTransport from './rest-client.ts';
import type { ModelTarget } from './rest-client.ts';
import { DEFAULT_SIGNATURE_NAME } from '../../formats/tensorflow/constants.ts';

/** How requests reach the server: REST (./rest-client.ts) or gRPC (./grpc-transport.ts). */
export interface PredictTransport {
  resolveVersion(target: ModelTarget): Promise<number>;
  predictImages(target: ModelTarget, images: Float32Array[]): Promise<Record<string, unknown>[]>;
}

export interface ClassifyInput {
  /** Where the input came from: a file path, or `sample N`. */
  source: string;
  pixels: Float32Array;
  /** The dataset's label, for samples. */
  expected?: number;
}

export interface ClassifyResult {
  source: string;
  class: number;
  expected?: number;
  /** Highest scores first (empty when the signature answers no scores). */
  top: { class: number; score: number }[];
}

export interface ClassifyReport {
  server: string;
  model: string;
  version: number;
  signature: string;
  results: ClassifyResult[];
}

/** How many of the highest scores each result lists. */
const TOP_SCORES = 3;

export async function classify(
  target: ModelTarget,
  inputs: ClassifyInput[],
  transport: PredictTransport = restTransport,
): Promise<ClassifyReport> {
  const version = await transport.resolveVersion(target);
  // Pin the version just resolved, so the report names the version that answered.
  const predictions = await transport.predictImages(
    { ...target, version, label: undefined },
    inputs.map((input) => input.pixels),
  );
  const results = predictions.map((prediction, i) => {
    const scores = scoresOf(prediction);
    const top = scores
      .map((score, index) => ({ class: index, score }))
      .sort((a, b) => b.score - a.score)
      .slice(0, TOP_SCORES);
    const predicted =
      typeof prediction.classes === 'number'
        ? prediction.classes
        : typeof prediction.output === 'number'
          ? prediction.output
          : top[0]?.class;
    if (predicted === undefined)
      throw new OperationalError(
        `the answer for ${inputs[i]!.source} holds neither classes nor scores: ` +
          `${JSON.stringify(prediction).slice(0, 200)}`,
      );
    return {
      source: inputs[i]!.source,
      class: predicted,
      ...(inputs[i]!.expected !== undefined && { expected: inputs[i]!.expected }),
      top,
    };
  });
  return {
    server: target.server,
    model: target.model,
    version,
    signature: target.signatureName || DEFAULT_SIGNATURE_NAME,
    results,
  };
}

/**
 * The ten scores of one answer: `scores` (serving_default), or a signature's only output when it
 * is a list (the notebook's predict_classes answers `decoded`, the scores); [] when there are none.
 */
function scoresOf(prediction: Record<string, unknown>): number[] {
  for (const value of [prediction.scores, prediction.decoded, prediction.output]) {
    if (Array.isArray(value) && value.every((score) => typeof score === 'number')) return value as number[];
  }
  return [];
}
