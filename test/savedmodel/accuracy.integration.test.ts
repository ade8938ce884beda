import { describe, expect, it } from 'vitest';
import type * as tfjs from '@tensorflow/tfjs-node';
import { gatherBatch } from '../../src/data/batches.ts';
import type { Split } from '../../src/data/types.ts';
import { loadTf, withoutInt64Warning } from '../../src/runtime/tf.ts';
import { defaultModelSpec } from '../../src/model/spec.ts';
import { servingModelContent } from '../../src/savedmodel/serving-model.ts';
import { accuracyOf, savedModelPredictions, scoringSignature } from '../../src/savedmodel/predictions.ts';
import { writeSavedModel } from '../../src/savedmodel/writer.ts';
import { fixtureWeights, syntheticSplit, tempDir } from './fixtures.ts';

const spec = defaultModelSpec();

/** The SavedModel's classes for the whole split in one call: the unbatched computation. */
async function classesInOneCall(dir: string, split: Split): Promise<number[]> {
  const tf = await loadTf();
  const all = gatherBatch(split, null, 0, split.count);
  const model = await tf.node.loadSavedModel(dir, ['serve'], 'serving_default');
  const images = tf.tensor4d(all.images, [all.count, 28, 28, 1]);
  const outputs = withoutInt64Warning(() => model.predict({ image: images })) as tfjs.NamedTensorMap;
  const classes = Array.from(outputs.classes!.dataSync() as unknown as BigInt64Array, Number);
  tf.dispose([images, ...Object.values(outputs)]);
  model.dispose();
  return classes;
}

describe('savedModelPredictions', () => {
  it('predicts in batches (a short last one included) exactly the unbatched classes and accuracy', async () => {
    const dir = tempDir('accuracy');
    writeSavedModel(dir, servingModelContent(spec, fixtureWeights(spec)));
    const split = syntheticSplit(23);
    const predicted = await classesInOneCall(dir, split);
    // Labels the model gets right for 15 of the 23 images, at positions every batch size below cuts differently.
    const labels = Uint8Array.from(predicted, (c, i) => (i % 3 === 0 ? (c + 1) % 10 : c));
    const labelled: Split = { ...split, labels };
    const unbatched = predicted.filter((c, i) => c === labels[i]).length / split.count;
    expect(unbatched).toBeCloseTo(15 / 23, 12);

    const tf = await loadTf();
    const signature = scoringSignature(dir);
    expect(signature).toEqual({ name: 'serving_default', output: 'scores', imageShape: [28, 28, 1], numClasses: 10 });
    const tensorsBefore = tf.memory().numTensors;
    for (const batchSize of [1, 4, 5, 22, 23, 500]) {
      const predictions = await savedModelPredictions(tf, dir, signature, labelled, batchSize);
      expect(Array.from(predictions.classes), `batch size ${batchSize}`).toEqual(predicted);
      expect(predictions.scores.length).toBe(23 * 10);
      expect(accuracyOf(predictions.classes, labels), `batch size ${batchSize}`).toBe(unbatched);
    }
    expect(tf.memory().numTensors, 'tensors left behind').toBe(tensorsBefore);
  }, 60_000);

  it('rejects a batch size that is not a positive integer', async () => {
    const tf = await loadTf();
    const signature = { name: 'serving_default', output: 'scores', imageShape: [28, 28, 1], numClasses: 10 };
    await expect(savedModelPredictions(tf, tempDir('accuracy'), signature, syntheticSplit(2), 0)).rejects.toThrow(
      RangeError,
    );
  });

  it(
    'falls back to a signature that maps image to float scores when the preferred name is absent, ' +
      'and names a directory without a SavedModel',
    () => {
      const dir = tempDir('scoring');
      writeSavedModel(
        dir,
        servingModelContent(spec, fixtureWeights(spec), {
          signatureNames: { main: 'classify', decoded: 'predict_classes' },
        }),
      );
      expect(scoringSignature(dir, 'nope').name).toBe('classify');
      expect(() => scoringSignature(tempDir('empty'))).toThrow(/not a SavedModel directory/);
    },
  );
});
