import { describe, expect, it } from 'vitest';
import { defaultModelSpec, layerOutputShapes, parameterCount, variableSpecs } from '../../src/model/spec.ts';

describe('defaultModelSpec', () => {
  it("is the notebook's CNN: layer kinds, sizes, activations and Keras names", () => {
    const spec = defaultModelSpec();
    expect(spec).toMatchObject({ inputName: 'conv2d_input', inputShape: [28, 28, 1], numClasses: 10, head: 'sigmoid' });
    expect(spec.layers).toEqual([
      { kind: 'conv2d', name: 'conv2d', filters: 16, kernelSize: [3, 3], activation: 'relu' },
      { kind: 'maxPooling2d', name: 'max_pooling2d', poolSize: [2, 2] },
      { kind: 'conv2d', name: 'conv2d_1', filters: 32, kernelSize: [3, 3], activation: 'relu' },
      { kind: 'maxPooling2d', name: 'max_pooling2d_1', poolSize: [2, 2] },
      { kind: 'conv2d', name: 'conv2d_2', filters: 64, kernelSize: [3, 3], activation: 'relu' },
      { kind: 'flatten', name: 'flatten' },
      { kind: 'dense', name: 'dense', units: 32, activation: 'relu' },
      { kind: 'dense', name: 'dense_1', units: 10, activation: 'sigmoid' },
    ]);
  });

  it("has Keras's output shapes and variables (42,090 parameters, as model.summary() counts)", () => {
    const spec = defaultModelSpec();
    expect(layerOutputShapes(spec)).toEqual([[26, 26, 16], [13, 13, 16], [11, 11, 32], [5, 5, 32], [3, 3, 64], [576], [32], [10]]);
    expect(variableSpecs(spec).map((v) => [v.name, v.shape])).toEqual([
      ['conv2d/kernel', [3, 3, 1, 16]], ['conv2d/bias', [16]],
      ['conv2d_1/kernel', [3, 3, 16, 32]], ['conv2d_1/bias', [32]],
      ['conv2d_2/kernel', [3, 3, 32, 64]], ['conv2d_2/bias', [64]],
      ['dense/kernel', [576, 32]], ['dense/bias', [32]],
      ['dense_1/kernel', [32, 10]], ['dense_1/bias', [10]],
    ]);
    expect(parameterCount(spec)).toBe(42090);
  });

  it("uses Keras's Adam defaults: learning rate 0.001, betas 0.9/0.999, epsilon 1e-7", () => {
    expect(defaultModelSpec().optimizer).toEqual({ kind: 'adam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    expect(defaultModelSpec({ learningRate: 0.01 }).optimizer.learningRate).toBe(0.01);
  });

  it('with head softmax changes only the last activation', () => {
    const softmax = defaultModelSpec({ head: 'softmax' });
    expect(softmax.head).toBe('softmax');
    expect(softmax.layers.at(-1)).toEqual({ kind: 'dense', name: 'dense_1', units: 10, activation: 'softmax' });
    expect(softmax.layers.slice(0, -1)).toEqual(defaultModelSpec().layers.slice(0, -1));
  });
});
