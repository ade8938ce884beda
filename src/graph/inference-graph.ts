/**
 * The model spec as TensorFlow ops, named the way Keras names them in a TF1 graph (the names
 * come from `layerNodes` in ../model/spec.ts), so TF tooling and users find the nodes they know.
 * Every attr an op defines without a default is set (TF rejects the node otherwise), plus the
 * defaulted ones TF itself writes for these ops.
 */
import {
  ACTIVATION_OPS,
  layerNodes,
  layerOutputShapes,
  weightName,
  type Activation,
  type LayerNodes,
  type ModelSpec,
} from '../model/spec.ts';
import { attr, type GraphBuilder } from './graph-builder.ts';

const FLOAT = attr.type('DT_FLOAT');

export interface InferenceGraphOptions {
  /** The image batch, [-1, ...inputShape] float32, as a node input (`node` or `node:k`). */
  input: string;
  /**
   * Returns a node input holding the variable's value, for an op in `consumerScope` (e.g. the kernel
   * read by `conv2d/Conv2D`); serving graphs add a `ReadVariableOp`, the training graph its own.
   */
  readVariable: (variableName: string, consumerScope: string) => string;
}

/** Node inputs (`node` or `node:k`); a signature's tensor name adds `:0` to a bare node. */
export interface InferenceTensors {
  /** The head's output (sigmoid or softmax), [-1, numClasses]. */
  scores: string;
  /** The last Dense layer before its activation. */
  logits: string;
}

export function addInferenceGraph(
  builder: GraphBuilder,
  spec: ModelSpec,
  options: InferenceGraphOptions,
): InferenceTensors {
  const shapes = layerOutputShapes(spec);
  let x = options.input;
  let logits = x;
  spec.layers.forEach((layer, i) => {
    const nodes = layerNodes(layer);
    switch (layer.kind) {
      case 'conv2d': {
        const conv = builder.add(
          'Conv2D',
          nodes.op,
          [x, options.readVariable(weightName(layer.name, 'kernel'), nodes.op)],
          {
            T: FLOAT,
            strides: attr.ints([1, 1, 1, 1]),
            padding: attr.string('VALID'),
            data_format: attr.string('NHWC'),
            dilations: attr.ints([1, 1, 1, 1]),
            use_cudnn_on_gpu: attr.bool(true),
            explicit_paddings: { list: {} },
          },
        );
        logits = addBias(builder, layer.name, nodes, conv, options);
        x = activate(builder, nodes, logits, layer.activation);
        break;
      }
      case 'maxPooling2d': {
        const window = attr.ints([1, layer.poolSize[0], layer.poolSize[1], 1]);
        x = builder.add('MaxPool', nodes.op, [x], {
          T: FLOAT,
          ksize: window,
          strides: window,
          padding: attr.string('VALID'),
          data_format: attr.string('NHWC'),
          explicit_paddings: { list: {} },
        });
        break;
      }
      case 'flatten': {
        const target = builder.constant(nodes.shape!, [-1, shapes[i]![0]!], [2], 'DT_INT32');
        x = builder.add('Reshape', nodes.op, [x, target], { T: FLOAT, Tshape: attr.type('DT_INT32') });
        break;
      }
      case 'dense': {
        const matmul = builder.add(
          'MatMul',
          nodes.op,
          [x, options.readVariable(weightName(layer.name, 'kernel'), nodes.op)],
          {
            T: FLOAT,
            transpose_a: attr.bool(false),
            transpose_b: attr.bool(false),
          },
        );
        logits = addBias(builder, layer.name, nodes, matmul, options);
        x = activate(builder, nodes, logits, layer.activation);
        break;
      }
    }
  });
  return { scores: x, logits };
}

/** `ArgMax` over the class axis (node `name`): the predicted class per row, int64 as Keras's graph has it. */
export function addArgMax(builder: GraphBuilder, scores: string, name = 'ArgMax'): string {
  const axis = builder.constant(`${name}/dimension`, 1, [], 'DT_INT32');
  return builder.add('ArgMax', name, [scores, axis], {
    T: FLOAT,
    Tidx: attr.type('DT_INT32'),
    output_type: attr.type('DT_INT64'),
  });
}

function addBias(
  builder: GraphBuilder,
  layer: string,
  nodes: LayerNodes,
  value: string,
  options: InferenceGraphOptions,
): string {
  const bias = options.readVariable(weightName(layer, 'bias'), nodes.biasAdd!);
  return builder.add('BiasAdd', nodes.biasAdd!, [value, bias], { T: FLOAT, data_format: attr.string('NHWC') });
}

function activate(builder: GraphBuilder, nodes: LayerNodes, value: string, activation: Activation): string {
  const op = ACTIVATION_OPS[activation];
  return op ? builder.add(op, nodes.activation!, [value], { T: FLOAT }) : value;
}
