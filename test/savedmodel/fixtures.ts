/** Fixtures for SavedModel tests: seeded weights with non-zero biases, and a synthetic test split. */
import type { Split } from '../../src/data/types.ts';
import { initialVariables } from '../../src/model/init.ts';
import type { ModelSpec } from '../../src/model/spec.ts';
import { servingModelContent } from '../../src/savedmodel/serving-model.ts';
import type { SavedModelContent } from '../../src/savedmodel/writer.ts';
import { seededRandom } from '../../src/util/random.ts';

export { tempDir } from '../helpers/temp-dir.ts';

/** Glorot kernels and small distinct biases, so a bias restored into the wrong slot shows. */
export function fixtureWeights(spec: ModelSpec, seed = 7): Map<string, Float32Array> {
  const weights = initialVariables(spec, seed);
  const random = seededRandom(seed + 1);
  for (const [name, values] of weights) {
    if (name.endsWith('/bias')) for (let i = 0; i < values.length; i += 1) values[i] = (random() - 0.5) * 0.2;
  }
  return weights;
}

/** `count` random 28×28 uint8 images with labels 0–9. */
export function syntheticSplit(count: number, seed = 3): Split {
  const random = seededRandom(seed);
  const images = new Uint8Array(count * 28 * 28);
  for (let i = 0; i < images.length; i += 1) images[i] = Math.floor(random() * 256);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return { images, labels, count };
}

/**
 * SavedModel content as exports before the notebook contract wrote it: `predict_classes` maps
 * `decoded` to `ArgMax:0`, int64 [N] (the class indices), instead of the ten scores.
 */
export function classIndexDecodedContent(
  spec: ModelSpec,
  weights: ReadonlyMap<string, Float32Array>,
): SavedModelContent {
  const content = servingModelContent(spec, weights);
  const main = content.signatures.serving_default!;
  content.signatures.predict_classes = { ...main, outputs: { decoded: main.outputs!.classes! } };
  return content;
}
