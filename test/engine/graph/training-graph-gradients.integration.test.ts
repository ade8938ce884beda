import type * as tfjs from '@tensorflow/tfjs-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraphEngine, type GraphEngine } from '../../../src/engine/graph/graph-engine.ts';
import { loadTf, type Tf } from '../../../src/runtime/tf.ts';
import { forward, sparseCategoricalCrossEntropy } from '../../../src/model/forward.ts';
import { defaultModelSpec, variableSpecs, type Head } from '../../../src/model/spec.ts';
import { initialTrainingState } from '../../../src/model/training-state.ts';
import { randomBatch, relativeError } from './fixtures.ts';

const BATCH = 16;

describe.each<Head>(['sigmoid', 'softmax'])('the training graph with the %s head', (head) => {
  const spec = defaultModelSpec({ head });
  const state = initialTrainingState(spec, 7);
  const { images, labels } = randomBatch(BATCH, 11);
  let tf: Tf;
  let engine: GraphEngine;

  beforeAll(async () => {
    tf = await loadTf();
    engine = await createGraphEngine(spec, state);
  });
  afterAll(() => engine?.dispose());

  /** tfjs's own gradients of the reference forward pass and Keras loss, by variable name. */
  function tfjsGradients(): { loss: number; grads: Map<string, Float32Array> } {
    const names = variableSpecs(spec).map((v) => v.name);
    const weights = variableSpecs(spec).map((v) => tf.tensor(state.variables.get(v.name)!, v.shape));
    const x = tf.tensor4d(images, [BATCH, 28, 28, 1]);
    const y = tf.tensor1d(labels, 'int32');
    const lossOf = (...ws: tfjs.Tensor[]) =>
      sparseCategoricalCrossEntropy(
        tf,
        forward(tf, spec, (name) => ws[names.indexOf(name)]!, x),
        y,
      );
    const { value, grads } = tf.valueAndGrads(lossOf)(weights);
    const result = {
      loss: value.dataSync()[0]!,
      grads: new Map(names.map((n, i) => [n, Float32Array.from(grads[i]!.dataSync())])),
    };
    tf.dispose([...weights, x, y, value, ...grads]);
    return result;
  }

  it('computes every variable gradient as tf.grads does, within 1e-4 relative error', async () => {
    const reference = tfjsGradients();
    const graph = await engine.gradients(images, labels, BATCH);
    expect(graph.get('loss')![0]).toBeCloseTo(reference.loss, 5);
    for (const variable of variableSpecs(spec)) {
      const error = relativeError(graph.get(variable.name)!, reference.grads.get(variable.name)!);
      expect(error, variable.name).toBeLessThan(1e-4);
    }
  });

  it('predicts the scores of the reference forward pass', async () => {
    const scores = await engine.predict(images, BATCH);
    const expected = tf.tidy(() =>
      forward(
        tf,
        spec,
        (name) => tf.tensor(state.variables.get(name)!, variableSpecs(spec).find((v) => v.name === name)!.shape),
        tf.tensor4d(images, [BATCH, 28, 28, 1]),
      ).dataSync(),
    );
    expect(relativeError(scores, expected as Float32Array)).toBeLessThan(1e-5);
  });
});
