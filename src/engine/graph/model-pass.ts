/**
 * The model's forward pass as graph ops, remembering every layer's input and output, and the
 * backward pass written out op by op from that record (no symbolic differentiation at run
 * time: the graph holds exactly the kernels TensorFlow's own gradient functions would emit).
 */
import { addInferenceGraph } from '../../graph/inference-graph.ts';
import {
  layerNodes,
  variableSpecs,
  weightName,
  type Activation,
  type LayerSpec,
  type ModelSpec,
} from '../../model/spec.ts';
import type { FloatOps } from './float-ops.ts';

/** What one layer did in the forward pass: its input, its (post-activation) output, its weights. */
interface LayerRecord {
  layer: LayerSpec;
  input: string;
  output: string;
  kernel?: string;
  kernelShape?: number[];
}

export interface ForwardPass {
  /** The last layer's pre-activation output. */
  logits: string;
  /** The head's output: class scores. */
  scores: string;
  records: LayerRecord[];
}

/** Reads a variable's current value; the same read feeds the forward and backward ops. */
export type ReadVariable = (name: string) => string;

/**
 * The forward ops are export's own (`addInferenceGraph`), so training and serving run the same
 * graph; each layer's output is the node `layerNodes` (../../model/spec.ts) names for it.
 */
export function addForwardPass(ops: FloatOps, spec: ModelSpec, images: string, read: ReadVariable): ForwardPass {
  const { scores, logits } = addInferenceGraph(ops.b, spec, { input: images, readVariable: (name) => read(name) });
  const kernelShapes = new Map(variableSpecs(spec).map((v) => [v.name, v.shape]));
  const records: LayerRecord[] = [];
  let input = images;
  for (const layer of spec.layers) {
    const { output } = layerNodes(layer);
    if (!ops.b.has(output)) throw new Error(`training graph: the inference graph has no node ${output}`);
    const record: LayerRecord = { layer, input, output };
    if (layer.kind === 'conv2d' || layer.kind === 'dense') {
      record.kernel = read(weightName(layer.name, 'kernel'));
      record.kernelShape = kernelShapes.get(weightName(layer.name, 'kernel'));
    }
    records.push(record);
    input = output;
  }
  return { logits, scores, records };
}

/**
 * Gradients of the loss for every variable, given the gradient at the last layer's
 * pre-activation (the loss module computes it, since the head and loss are fused there).
 */
export function addBackwardPass(ops: FloatOps, forward: ForwardPass, dLogits: string): Map<string, string> {
  const gradients = new Map<string, string>();
  let dOutput: string | undefined;
  // Set when dOutput is already the gradient at the layer's pre-activation (see maxPooling2d).
  let reluApplied = false;
  for (let i = forward.records.length - 1; i >= 0; i -= 1) {
    const { layer, input, output, kernel, kernelShape } = forward.records[i]!;
    const scope = `gradients/${layer.name}`;
    const needsInputGradient = i > 0;
    switch (layer.kind) {
      case 'conv2d': {
        const dPre =
          dOutput === undefined
            ? dLogits
            : reluApplied
              ? dOutput
              : activationGradient(ops, scope, layer.activation, output, dOutput);
        reluApplied = false;
        gradients.set(weightName(layer.name, 'bias'), ops.biasAddGrad(`${scope}/BiasAddGrad`, dPre));
        const filterSizes = ops.ints(`${scope}/filter_sizes`, kernelShape!);
        gradients.set(
          weightName(layer.name, 'kernel'),
          ops.conv2dBackpropFilter(`${scope}/Conv2DBackpropFilter`, input, filterSizes, dPre, 'VALID'),
        );
        if (needsInputGradient) {
          dOutput = ops.conv2dBackpropInput(
            `${scope}/Conv2DBackpropInput`,
            ops.shape(`${scope}/input_sizes`, input),
            kernel!,
            dPre,
            'VALID',
          );
        }
        break;
      }
      case 'maxPooling2d': {
        // Pooling a ReLU's output: MaxPoolGrad routes each window's gradient to its maximum, which
        // is positive exactly where the pooled value is, so masking the (4× smaller) pooled
        // gradient first gives the same values as ReluGrad after MaxPoolGrad, for less work.
        const previous = forward.records[i - 1]?.layer;
        reluApplied = previous?.kind === 'conv2d' && previous.activation === 'relu';
        const dPooled = reluApplied ? ops.binary('ReluGrad', `${scope}/ReluGrad`, dOutput!, output) : dOutput!;
        dOutput = ops.maxPoolGrad(`${scope}/MaxPoolGrad`, input, output, dPooled, layer.poolSize);
        break;
      }
      case 'flatten':
        dOutput = ops.reshape(`${scope}/Reshape`, dOutput!, ops.shape(`${scope}/Shape`, input));
        break;
      case 'dense': {
        const dPre =
          dOutput === undefined ? dLogits : activationGradient(ops, scope, layer.activation, output, dOutput);
        gradients.set(weightName(layer.name, 'bias'), ops.biasAddGrad(`${scope}/BiasAddGrad`, dPre));
        gradients.set(weightName(layer.name, 'kernel'), ops.matMul(`${scope}/MatMul`, input, dPre, { a: true }));
        if (needsInputGradient) dOutput = ops.matMul(`${scope}/MatMul_1`, dPre, kernel!, { b: true });
        break;
      }
    }
  }
  return gradients;
}

/** d(pre-activation) from d(output); each activation's gradient is a function of its output. */
function activationGradient(
  ops: FloatOps,
  scope: string,
  activation: Activation,
  output: string,
  dOutput: string,
): string {
  switch (activation) {
    case 'relu':
      return ops.binary('ReluGrad', `${scope}/ReluGrad`, dOutput, output);
    case 'sigmoid':
      return ops.binary('SigmoidGrad', `${scope}/SigmoidGrad`, output, dOutput);
    case 'softmax': {
      // (dy - Σ dy·y) · y, as TensorFlow's _SoftmaxGrad.
      const dotted = ops.reduce(
        'Sum',
        `${scope}/Sum`,
        ops.binary('Mul', `${scope}/mul`, dOutput, output),
        ops.ints(`${scope}/axis`, [-1]),
        true,
      );
      return ops.binary('Mul', `${scope}/mul_1`, ops.binary('Sub', `${scope}/sub`, dOutput, dotted), output);
    }
    case 'linear':
      return dOutput;
  }
}
