import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../src/formats/proto/index.ts';
import type { GraphDef, GraphDef__Output, NodeDef } from '../../src/formats/proto/types.ts';
import { GraphBuilder } from '../../src/graph/graph-builder.ts';
import { addInferenceGraph } from '../../src/graph/inference-graph.ts';
import { buildServingGraph } from '../../src/graph/serving-graph.ts';
import { defaultModelSpec } from '../../src/model/spec.ts';

const LAYER_VARIABLES = ['conv2d', 'conv2d_1', 'conv2d_2', 'dense', 'dense_1'];

function byName(graph: GraphDef): Map<string, NodeDef> {
  return new Map((graph.node ?? []).map((n) => [n.name ?? '', n]));
}

describe('the serving graph of the default model spec', () => {
  const graph = buildServingGraph(defaultModelSpec());
  const nodes = byName(graph.graphDef);

  it('has exactly the Keras-named forward ops, wired layer to layer', () => {
    const forward = (graph.graphDef.node ?? [])
      .filter(
        (n) =>
          !/^save\//.test(n.name!) &&
          !['VarHandleOp', 'ReadVariableOp', 'AssignVariableOp'].includes(n.op!) &&
          !n.name!.includes('/Initializer/'),
      )
      .map((n) => [n.name, n.op, (n.input ?? []).join(' ')]);
    expect(forward).toEqual([
      ['conv2d_input', 'Placeholder', ''],
      ['conv2d/Conv2D', 'Conv2D', 'conv2d_input conv2d/Conv2D/ReadVariableOp'],
      ['conv2d/BiasAdd', 'BiasAdd', 'conv2d/Conv2D conv2d/BiasAdd/ReadVariableOp'],
      ['conv2d/Relu', 'Relu', 'conv2d/BiasAdd'],
      ['max_pooling2d/MaxPool', 'MaxPool', 'conv2d/Relu'],
      ['conv2d_1/Conv2D', 'Conv2D', 'max_pooling2d/MaxPool conv2d_1/Conv2D/ReadVariableOp'],
      ['conv2d_1/BiasAdd', 'BiasAdd', 'conv2d_1/Conv2D conv2d_1/BiasAdd/ReadVariableOp'],
      ['conv2d_1/Relu', 'Relu', 'conv2d_1/BiasAdd'],
      ['max_pooling2d_1/MaxPool', 'MaxPool', 'conv2d_1/Relu'],
      ['conv2d_2/Conv2D', 'Conv2D', 'max_pooling2d_1/MaxPool conv2d_2/Conv2D/ReadVariableOp'],
      ['conv2d_2/BiasAdd', 'BiasAdd', 'conv2d_2/Conv2D conv2d_2/BiasAdd/ReadVariableOp'],
      ['conv2d_2/Relu', 'Relu', 'conv2d_2/BiasAdd'],
      ['flatten/Const', 'Const', ''],
      ['flatten/Reshape', 'Reshape', 'conv2d_2/Relu flatten/Const'],
      ['dense/MatMul', 'MatMul', 'flatten/Reshape dense/MatMul/ReadVariableOp'],
      ['dense/BiasAdd', 'BiasAdd', 'dense/MatMul dense/BiasAdd/ReadVariableOp'],
      ['dense/Relu', 'Relu', 'dense/BiasAdd'],
      ['dense_1/MatMul', 'MatMul', 'dense/Relu dense_1/MatMul/ReadVariableOp'],
      ['dense_1/BiasAdd', 'BiasAdd', 'dense_1/MatMul dense_1/BiasAdd/ReadVariableOp'],
      ['dense_1/Sigmoid', 'Sigmoid', 'dense_1/BiasAdd'],
      ['ArgMax/dimension', 'Const', ''],
      ['ArgMax', 'ArgMax', 'dense_1/Sigmoid ArgMax/dimension'],
    ]);
    expect(graph.tensors).toEqual({ image: 'conv2d_input:0', scores: 'dense_1/Sigmoid:0', classes: 'ArgMax:0' });
  });

  it('holds each weight in a VarHandleOp read by the op that uses it', () => {
    for (const layer of LAYER_VARIABLES) {
      for (const role of ['kernel', 'bias']) {
        const handle = nodes.get(`${layer}/${role}`)!;
        expect(handle.op).toBe('VarHandleOp');
        expect(Buffer.from(handle.attr!.shared_name!.s as Uint8Array).toString()).toBe(`${layer}/${role}`);
        const consumer = role === 'bias' ? 'BiasAdd' : layer.startsWith('dense') ? 'MatMul' : 'Conv2D';
        const read = nodes.get(`${layer}/${consumer}/ReadVariableOp`)!;
        expect(read).toMatchObject({
          op: 'ReadVariableOp',
          input: [`${layer}/${role}`],
          attr: { dtype: { type: 'DT_FLOAT' } },
        });
      }
    }
    expect(nodes.get('conv2d/kernel')!.attr!.shape!.shape).toEqual({
      dim: [{ size: 3 }, { size: 3 }, { size: 1 }, { size: 16 }],
    });
    expect(graph.variables.map((v) => v.name)).toEqual(LAYER_VARIABLES.flatMap((l) => [`${l}/kernel`, `${l}/bias`]));
  });

  it("sets every attr the ops define without a default (from TF 2.21's op registry)", () => {
    const required: Record<string, string[]> = {
      Placeholder: ['dtype'],
      VarHandleOp: ['dtype', 'shape'],
      ReadVariableOp: ['dtype'],
      AssignVariableOp: ['dtype'],
      Conv2D: ['T', 'strides', 'padding'],
      BiasAdd: ['T'],
      Relu: ['T'],
      MaxPool: ['ksize', 'strides', 'padding'],
      Reshape: ['T'],
      MatMul: ['T'],
      Sigmoid: ['T'],
      ArgMax: ['T'],
      Const: ['value', 'dtype'],
      SaveV2: ['dtypes'],
      RestoreV2: ['dtypes'],
      Identity: ['T'],
      PlaceholderWithDefault: ['dtype', 'shape'],
      NoOp: [],
    };
    for (const node of graph.graphDef.node ?? []) {
      expect(required, `op ${node.op} is used but not checked`).toHaveProperty(node.op!);
      for (const name of required[node.op!]!) expect(node.attr, `${node.name}.${name}`).toHaveProperty(name);
    }
    expect(nodes.get('conv2d/Conv2D')!.attr).toMatchObject({
      strides: { list: { i: [1, 1, 1, 1] } },
      padding: { s: new TextEncoder().encode('VALID') },
      data_format: { s: new TextEncoder().encode('NHWC') },
    });
    expect(nodes.get('max_pooling2d/MaxPool')!.attr).toMatchObject({ ksize: { list: { i: [1, 2, 2, 1] } } });
    expect(nodes.get('ArgMax')!.attr).toMatchObject({ output_type: { type: 'DT_INT64' }, Tidx: { type: 'DT_INT32' } });
  });

  it('survives a protobuf round trip unchanged', () => {
    const bytes = encodeMessage('tensorflow.GraphDef', graph.graphDef);
    const decoded = decodeMessage<GraphDef__Output>('tensorflow.GraphDef', bytes);
    expect(decoded.node!.map((n) => [n.name, n.op, n.input])).toEqual(
      graph.graphDef.node!.map((n) => [n.name, n.op, n.input ?? []]),
    );
    expect(decoded.versions!.producer).toBe(graph.graphDef.versions!.producer);
    expect(Array.from(byName(decoded).get('flatten/Const')!.attr!.value!.tensor!.tensor_content as Uint8Array)).toEqual(
      Array.from(new Uint8Array(Int32Array.from([-1, 576]).buffer)),
    );
    expect(encodeMessage('tensorflow.GraphDef', decoded)).toEqual(bytes);
  });
});

describe('addInferenceGraph', () => {
  it('ends in dense_1/Softmax for the softmax head and returns the logits before it', () => {
    const builder = new GraphBuilder();
    const input = builder.add('Placeholder', 'images');
    const reads: string[][] = [];
    const result = addInferenceGraph(builder, defaultModelSpec({ head: 'softmax' }), {
      input,
      readVariable: (name, scope) => {
        reads.push([name, scope]);
        return builder.add('Identity', `${scope}/value`, [name]);
      },
    });
    expect(result).toEqual({ scores: 'dense_1/Softmax', logits: 'dense_1/BiasAdd' });
    expect(reads.slice(0, 2)).toEqual([
      ['conv2d/kernel', 'conv2d/Conv2D'],
      ['conv2d/bias', 'conv2d/BiasAdd'],
    ]);
    expect(reads).toHaveLength(10);
  });
});
