import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/graph-builder.ts';
import { addInferenceGraph } from '../../src/graph/inference-graph.ts';
import {
  defaultModelSpec,
  layerNodes,
  layerOutputShapes,
  parameterCount,
  parseModelSpec,
  variableSpecs,
} from '../../src/model/spec.ts';

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
    expect(layerOutputShapes(spec)).toEqual([
      [26, 26, 16],
      [13, 13, 16],
      [11, 11, 32],
      [5, 5, 32],
      [3, 3, 64],
      [576],
      [32],
      [10],
    ]);
    expect(variableSpecs(spec).map((v) => [v.name, v.shape])).toEqual([
      ['conv2d/kernel', [3, 3, 1, 16]],
      ['conv2d/bias', [16]],
      ['conv2d_1/kernel', [3, 3, 16, 32]],
      ['conv2d_1/bias', [32]],
      ['conv2d_2/kernel', [3, 3, 32, 64]],
      ['conv2d_2/bias', [64]],
      ['dense/kernel', [576, 32]],
      ['dense/bias', [32]],
      ['dense_1/kernel', [32, 10]],
      ['dense_1/bias', [10]],
    ]);
    expect(parameterCount(spec)).toBe(42090);
  });

  it("uses Keras's Adam defaults: learning rate 0.001, betas 0.9/0.999, epsilon 1e-7", () => {
    expect(defaultModelSpec().optimizer).toEqual({
      kind: 'adam',
      learningRate: 0.001,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-7,
    });
    expect(defaultModelSpec({ learningRate: 0.01 }).optimizer.learningRate).toBe(0.01);
  });

  it('with head softmax changes only the last activation', () => {
    const softmax = defaultModelSpec({ head: 'softmax' });
    expect(softmax.head).toBe('softmax');
    expect(softmax.layers.at(-1)).toEqual({ kind: 'dense', name: 'dense_1', units: 10, activation: 'softmax' });
    expect(softmax.layers.slice(0, -1)).toEqual(defaultModelSpec().layers.slice(0, -1));
  });
});

describe('layerNodes', () => {
  it("names each layer's nodes as Keras's TF1 graph does, the output after the activation", () => {
    expect(defaultModelSpec().layers.map((layer) => layerNodes(layer))).toEqual([
      { op: 'conv2d/Conv2D', biasAdd: 'conv2d/BiasAdd', activation: 'conv2d/Relu', output: 'conv2d/Relu' },
      { op: 'max_pooling2d/MaxPool', output: 'max_pooling2d/MaxPool' },
      { op: 'conv2d_1/Conv2D', biasAdd: 'conv2d_1/BiasAdd', activation: 'conv2d_1/Relu', output: 'conv2d_1/Relu' },
      { op: 'max_pooling2d_1/MaxPool', output: 'max_pooling2d_1/MaxPool' },
      { op: 'conv2d_2/Conv2D', biasAdd: 'conv2d_2/BiasAdd', activation: 'conv2d_2/Relu', output: 'conv2d_2/Relu' },
      { op: 'flatten/Reshape', shape: 'flatten/Const', output: 'flatten/Reshape' },
      { op: 'dense/MatMul', biasAdd: 'dense/BiasAdd', activation: 'dense/Relu', output: 'dense/Relu' },
      { op: 'dense_1/MatMul', biasAdd: 'dense_1/BiasAdd', activation: 'dense_1/Sigmoid', output: 'dense_1/Sigmoid' },
    ]);
    expect(layerNodes({ kind: 'dense', name: 'dense_1', units: 10, activation: 'linear' })).toEqual({
      op: 'dense_1/MatMul',
      biasAdd: 'dense_1/BiasAdd',
      output: 'dense_1/BiasAdd',
    });
  });

  it('are the nodes the inference graph builds, for every activation', () => {
    for (const activation of ['relu', 'sigmoid', 'softmax', 'linear'] as const) {
      const spec = defaultModelSpec();
      spec.layers[6] = { kind: 'dense', name: 'dense', units: 32, activation };
      const builder = new GraphBuilder();
      const input = builder.add('Placeholder', spec.inputName);
      const { scores } = addInferenceGraph(builder, spec, { input, readVariable: (name) => name });
      const built = new Map(builder.build().node!.map((node) => [node.name, node.op]));
      for (const layer of spec.layers) {
        const { op, biasAdd, activation: applied, shape, output } = layerNodes(layer);
        for (const name of [op, biasAdd, applied, shape, output].filter((n) => n !== undefined))
          expect(built.has(name), name).toBe(true);
      }
      expect(scores).toBe(layerNodes(spec.layers.at(-1)!).output);
    }
  });

  it('refuses an activation it cannot build, naming the ones it can', () => {
    const spec = JSON.parse(JSON.stringify(defaultModelSpec()));
    spec.layers[0].activation = 'tanh';
    expect(() => parseModelSpec(spec, 'meta.json')).toThrow(
      'meta.json: model spec field `layers[0].activation` must be relu, sigmoid, softmax or linear',
    );
  });
});
