/**
 * The model as data: the notebook's Keras CNN described declaratively, so training, checkpoints,
 * inspect-graph, export and the graph engine all read one description. Names follow Keras's
 * automatic naming (conv2d, conv2d_1, …, dense_1) because TF tooling and users search for them.
 */
import { UserInputError } from '../errors.ts';

export const ACTIVATIONS = ['relu', 'sigmoid', 'softmax', 'linear'] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export type Head = 'sigmoid' | 'softmax';

export type LayerSpec =
  | { kind: 'conv2d'; name: string; filters: number; kernelSize: [number, number]; activation: Activation }
  | { kind: 'maxPooling2d'; name: string; poolSize: [number, number] }
  | { kind: 'flatten'; name: string }
  | { kind: 'dense'; name: string; units: number; activation: Activation };

export interface AdamSpec {
  kind: 'adam';
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export interface ModelSpec {
  specVersion: 1;
  /** The Keras input layer name; the graph's Placeholder is called this. */
  inputName: string;
  inputShape: [number, number, number];
  numClasses: number;
  layers: LayerSpec[];
  /** Activation of the last Dense layer; the loss is sparse categorical cross-entropy either way. */
  head: Head;
  optimizer: AdamSpec;
}

export interface VariableSpec {
  /** Keras-style variable name, e.g. `conv2d/kernel`: the checkpoint key and graph node name. */
  name: string;
  layer: string;
  role: 'kernel' | 'bias';
  shape: number[];
}

/** The TensorFlow op that applies each activation (linear applies none). */
export const ACTIVATION_OPS: Record<Activation, 'Relu' | 'Sigmoid' | 'Softmax' | undefined> = {
  relu: 'Relu',
  sigmoid: 'Sigmoid',
  softmax: 'Softmax',
  linear: undefined,
};

/** A layer's weight as Keras names it (`conv2d/kernel`): the checkpoint key and the graph's variable. */
export function weightName(layer: string, role: VariableSpec['role']): string {
  return `${layer}/${role}`;
}

/**
 * The nodes of a layer in Keras's TF1 graph: `op` its main op (`conv2d/Conv2D`, `dense/MatMul`,
 * `max_pooling2d/MaxPool`, `flatten/Reshape`), `biasAdd` and `activation` where it has them
 * (`conv2d/BiasAdd`, `dense_1/Sigmoid`), `shape` flatten's target shape constant, and `output`
 * the node holding the layer's result.
 */
export interface LayerNodes {
  op: string;
  biasAdd?: string;
  activation?: string;
  shape?: string;
  output: string;
}

export function layerNodes(layer: LayerSpec): LayerNodes {
  switch (layer.kind) {
    case 'conv2d':
    case 'dense': {
      const biasAdd = `${layer.name}/BiasAdd`;
      const activationOp = ACTIVATION_OPS[layer.activation];
      const activation = activationOp && `${layer.name}/${activationOp}`;
      return {
        op: `${layer.name}/${layer.kind === 'conv2d' ? 'Conv2D' : 'MatMul'}`,
        biasAdd,
        ...(activation && { activation }),
        output: activation ?? biasAdd,
      };
    }
    case 'maxPooling2d':
      return { op: `${layer.name}/MaxPool`, output: `${layer.name}/MaxPool` };
    case 'flatten':
      return { op: `${layer.name}/Reshape`, shape: `${layer.name}/Const`, output: `${layer.name}/Reshape` };
  }
}

/** Keras's Adam defaults (epsilon 1e-7, not the paper's 1e-8). */
export function defaultAdam(learningRate = 0.001): AdamSpec {
  return { kind: 'adam', learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
}

/** Conv16-Pool-Conv32-Pool-Conv64-Flatten-Dense32-Dense10, as in the notebook. */
export function defaultModelSpec(options: { head?: Head; learningRate?: number } = {}): ModelSpec {
  const head = options.head ?? 'sigmoid';
  return {
    specVersion: 1,
    inputName: 'conv2d_input',
    inputShape: [28, 28, 1],
    numClasses: 10,
    head,
    optimizer: defaultAdam(options.learningRate),
    layers: [
      { kind: 'conv2d', name: 'conv2d', filters: 16, kernelSize: [3, 3], activation: 'relu' },
      { kind: 'maxPooling2d', name: 'max_pooling2d', poolSize: [2, 2] },
      { kind: 'conv2d', name: 'conv2d_1', filters: 32, kernelSize: [3, 3], activation: 'relu' },
      { kind: 'maxPooling2d', name: 'max_pooling2d_1', poolSize: [2, 2] },
      { kind: 'conv2d', name: 'conv2d_2', filters: 64, kernelSize: [3, 3], activation: 'relu' },
      { kind: 'flatten', name: 'flatten' },
      { kind: 'dense', name: 'dense', units: 32, activation: 'relu' },
      { kind: 'dense', name: 'dense_1', units: 10, activation: head },
    ],
  };
}

/** Output shape (without the batch dimension) after each layer; valid padding, stride 1 convs. */
export function layerOutputShapes(spec: ModelSpec): number[][] {
  let shape: number[] = [...spec.inputShape];
  return spec.layers.map((layer) => {
    switch (layer.kind) {
      case 'conv2d':
        shape = [shape[0]! - layer.kernelSize[0] + 1, shape[1]! - layer.kernelSize[1] + 1, layer.filters];
        break;
      case 'maxPooling2d':
        shape = [Math.floor(shape[0]! / layer.poolSize[0]), Math.floor(shape[1]! / layer.poolSize[1]), shape[2]!];
        break;
      case 'flatten':
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case 'dense':
        shape = [layer.units];
        break;
    }
    return shape;
  });
}

/** The trainable variables in creation order (Keras order: per layer, kernel then bias). */
export function variableSpecs(spec: ModelSpec): VariableSpec[] {
  const shapes = layerOutputShapes(spec);
  const variables: VariableSpec[] = [];
  spec.layers.forEach((layer, i) => {
    const inShape = i === 0 ? [...spec.inputShape] : shapes[i - 1]!;
    if (layer.kind === 'conv2d') {
      variables.push({
        name: weightName(layer.name, 'kernel'),
        layer: layer.name,
        role: 'kernel',
        shape: [...layer.kernelSize, inShape[2]!, layer.filters],
      });
      variables.push({ name: weightName(layer.name, 'bias'), layer: layer.name, role: 'bias', shape: [layer.filters] });
    } else if (layer.kind === 'dense') {
      variables.push({
        name: weightName(layer.name, 'kernel'),
        layer: layer.name,
        role: 'kernel',
        shape: [inShape[0]!, layer.units],
      });
      variables.push({ name: weightName(layer.name, 'bias'), layer: layer.name, role: 'bias', shape: [layer.units] });
    }
  });
  return variables;
}

export function parameterCount(spec: ModelSpec): number {
  return variableSpecs(spec).reduce((sum, v) => sum + v.shape.reduce((a, b) => a * b, 1), 0);
}

/**
 * Checks a spec read from a file (a checkpoint sidecar); `source` names the file in errors.
 * Only the layer kinds and activations this project can build are accepted.
 */
export function parseModelSpec(value: unknown, source: string): ModelSpec {
  const fail = (field: string, expected: string): never => {
    throw new UserInputError(`${source}: model spec field \`${field}\` must be ${expected}`);
  };
  if (typeof value !== 'object' || value === null) fail('(root)', 'an object');
  const spec = value as Partial<ModelSpec>;
  if (spec.specVersion !== 1) fail('specVersion', '1');
  if (typeof spec.inputName !== 'string' || !spec.inputName) fail('inputName', 'a non-empty string');
  if (!Array.isArray(spec.inputShape) || spec.inputShape.length !== 3 || !spec.inputShape.every(isPositiveInt)) {
    fail('inputShape', 'three positive integers');
  }
  if (!isPositiveInt(spec.numClasses)) fail('numClasses', 'a positive integer');
  if (spec.head !== 'sigmoid' && spec.head !== 'softmax') fail('head', '"sigmoid" or "softmax"');
  const opt = spec.optimizer;
  if (
    opt?.kind !== 'adam' ||
    ![opt.learningRate, opt.beta1, opt.beta2, opt.epsilon].every((x) => typeof x === 'number' && x > 0)
  ) {
    fail('optimizer', 'an adam optimizer with positive learningRate, beta1, beta2, epsilon');
  }
  if (!Array.isArray(spec.layers) || spec.layers.length === 0) fail('layers', 'a non-empty array');
  spec.layers!.forEach((layer, i) => {
    const at = `layers[${i}]`;
    if (typeof layer?.name !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(layer.name))
      fail(`${at}.name`, 'a Keras-style name');
    switch (layer.kind) {
      case 'conv2d':
        if (!isPositiveInt(layer.filters)) fail(`${at}.filters`, 'a positive integer');
        if (!Array.isArray(layer.kernelSize) || !layer.kernelSize.every(isPositiveInt))
          fail(`${at}.kernelSize`, 'two positive integers');
        if (!isActivation(layer.activation)) fail(`${at}.activation`, ACTIVATION_LIST);
        break;
      case 'maxPooling2d':
        if (!Array.isArray(layer.poolSize) || !layer.poolSize.every(isPositiveInt))
          fail(`${at}.poolSize`, 'two positive integers');
        break;
      case 'flatten':
        break;
      case 'dense':
        if (!isPositiveInt(layer.units)) fail(`${at}.units`, 'a positive integer');
        if (!isActivation(layer.activation)) fail(`${at}.activation`, ACTIVATION_LIST);
        break;
      default:
        fail(`${at}.kind`, 'conv2d, maxPooling2d, flatten or dense');
    }
  });
  const last = spec.layers![spec.layers!.length - 1]!;
  if (last.kind !== 'dense' || last.units !== spec.numClasses || last.activation !== spec.head) {
    fail('layers', `to end with a dense layer of numClasses units and the ${spec.head} head`);
  }
  return spec as ModelSpec;
}

function isPositiveInt(x: unknown): boolean {
  return typeof x === 'number' && Number.isInteger(x) && x > 0;
}

const ACTIVATION_LIST = `${ACTIVATIONS.slice(0, -1).join(', ')} or ${ACTIVATIONS.at(-1)}`;

function isActivation(x: unknown): x is Activation {
  return ACTIVATIONS.includes(x as Activation);
}
