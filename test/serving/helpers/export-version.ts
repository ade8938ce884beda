/**
 * Model versions for serving tests, written by the real exporter (`mnist-serve export`'s core):
 * the default CNN with seeded weights (a different seed per version, so versions answer
 * differently) and warmup requests in assets.extra.
 */
import { loadTf } from '../../../src/runtime/tf.ts';
import { defaultModelSpec } from '../../../src/model/spec.ts';
import { exportSavedModel } from '../../../src/savedmodel/export.ts';
import { DEFAULT_SIGNATURE_NAME, PREDICT_CLASSES_SIGNATURE_NAME } from '../../../src/formats/tensorflow/constants.ts';
import { fixtureWeights, syntheticSplit } from '../../savedmodel/fixtures.ts';

export { tempDir } from '../../helpers/temp-dir.ts';

/**
 * Exports version `version` under `basePath` (a directory or s3:// URI; seeded by the version, or
 * by `seed` when the version is left to auto-increment) and returns where it was published.
 */
export async function exportVersion(
  basePath: string,
  version: number | undefined,
  options: { warmupRequests?: number; seed?: number; force?: boolean } = {},
): Promise<string> {
  const spec = defaultModelSpec();
  const result = await exportSavedModel({
    spec,
    weights: fixtureWeights(spec, options.seed ?? 100 + version!),
    basePath,
    version,
    force: options.force,
    modelName: 'mnist',
    signatureNames: { main: DEFAULT_SIGNATURE_NAME, decoded: PREDICT_CLASSES_SIGNATURE_NAME },
    verify: false,
    warmupRequests: options.warmupRequests ?? 2,
    test: syntheticSplit(8),
    loadTf,
  });
  return result.path;
}

/** A deterministic 28×28 image in 0–1 (a bright bar on black), as nested rows [28][28][1]. */
export function sampleImage(seed = 0): number[][][] {
  return Array.from({ length: 28 }, (_, y) =>
    Array.from({ length: 28 }, (_, x) => [(x + y + seed) % 7 === 0 || (x > 10 && x < 16) ? 0.9 : 0]),
  );
}
