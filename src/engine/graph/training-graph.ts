/**
 * Compiles a model spec into one TF1 graph that trains it: export's forward ops, the loss, the
 * backward ops written out per layer, and Adam's updates on resource variables, plus a saver so
 * the C++ loader restores the starting state. One session runs every signature:
 *   train_step  images, labels → loss, accuracy   (applies one Adam update)
 *   evaluate    images, labels → loss, accuracy
 *   predict     images → scores
 *   gradients   images, labels → loss, ∂loss/∂variable per variable name
 *   get_state   → every variable and slot by its state name, and `step`
 *   set_state   every variable and slot by its state name, and `step` → step
 */
import type {
  CollectionDef,
  DataTypeName,
  GraphDef,
  SaverDef,
  SignatureDef,
  TensorInfo,
} from '../../formats/proto/types.ts';
import { shapeProto } from '../../formats/tensorflow/shape.ts';
import { GraphBuilder } from '../../graph/graph-builder.ts';
import { addSaverSubgraph } from '../../graph/saver.ts';
import {
  addResourceVariable,
  readVariable,
  variableCollections,
  type GraphVariable,
  type VariableDef,
} from '../../graph/variables.ts';
import { variableSpecs, type ModelSpec } from '../../model/spec.ts';
import { addAdamUpdate } from './adam-update.ts';
import { FloatOps } from './float-ops.ts';
import { addHeadLoss } from './head-loss.ts';
import { addBackwardPass, addForwardPass } from './model-pass.ts';
import { PREDICT_METHOD } from '../../formats/tensorflow/constants.ts';

export const SIGNATURES = {
  trainStep: 'train_step',
  evaluate: 'evaluate',
  predict: 'predict',
  gradients: 'gradients',
  getState: 'get_state',
  setState: 'set_state',
} as const;

/** The int64 Adam step counter's variable name; `get_state`/`set_state` call it `step` (int32). */
export const ITERATION_VARIABLE = 'adam/iteration';
export const STEP_KEY = 'step';

/** State names of a weight's Adam slots. */
export function slotNames(variable: string): { m: string; v: string } {
  return { m: `adam/m/${variable}`, v: `adam/v/${variable}` };
}

export interface TrainingGraph {
  graphDef: GraphDef;
  signatures: Record<string, SignatureDef>;
  saverDef: SaverDef;
  collections: Record<string, CollectionDef>;
  /** Every variable the saver restores: weights, then m and v slots, then the step counter. */
  variables: GraphVariable[];
}

export function buildTrainingGraph(spec: ModelSpec): TrainingGraph {
  const builder = new GraphBuilder();
  const ops = new FloatOps(builder);
  const weights = variableSpecs(spec).map((v): GraphVariable => ({ name: v.name, dtype: 'DT_FLOAT', shape: v.shape }));
  const slots = weights.flatMap((w) =>
    [slotNames(w.name).m, slotNames(w.name).v].map((name): GraphVariable => ({ ...w, name })),
  );
  const iteration: GraphVariable = { name: ITERATION_VARIABLE, dtype: 'DT_INT64', shape: [] };
  const variables = [...weights, ...slots, iteration];
  const definitions: VariableDef[] = variables.map((v) => addResourceVariable(builder, v, weights.includes(v)));

  const images = ops.placeholder(spec.inputName, 'DT_FLOAT', [-1, ...spec.inputShape]);
  const labels = ops.placeholder('labels', 'DT_INT32', [-1]);
  // One read per weight, shared by the forward and backward ops that use it.
  const reads = new Map<string, string>();
  const read = (name: string): string => {
    let value = reads.get(name);
    if (value === undefined) {
      value = readVariable(builder, name, 'DT_FLOAT', `${name}/Use`);
      reads.set(name, value);
    }
    return value;
  };
  const forward = addForwardPass(ops, spec, images, read);
  const head = addHeadLoss(ops, spec.head, spec.numClasses, forward.logits, forward.scores, labels);
  const gradients = addBackwardPass(ops, forward, head.dLogits);
  const update = addAdamUpdate(
    ops,
    spec.optimizer,
    iteration.name,
    weights.map((w) => ({ handle: w.name, ...slotNames(w.name), gradient: gradients.get(w.name)! })),
  );
  const trainLoss = ops.unary('Identity', 'train/loss', head.loss, [update]);
  const trainAccuracy = ops.unary('Identity', 'train/accuracy', head.accuracy, [update]);

  const state = addStateAccess(builder, ops, variables, iteration);
  const saverDef = addSaverSubgraph(builder, variables);

  const float = (name: string, dims: number[]) => tensorInfo(name, 'DT_FLOAT', dims);
  const batchInputs = { images: float(images, [-1, ...spec.inputShape]), labels: tensorInfo(labels, 'DT_INT32', [-1]) };
  const method = PREDICT_METHOD;
  const signatures: Record<string, SignatureDef> = {
    [SIGNATURES.trainStep]: {
      inputs: batchInputs,
      outputs: { loss: float(trainLoss, []), accuracy: float(trainAccuracy, []) },
      method_name: method,
    },
    [SIGNATURES.evaluate]: {
      inputs: batchInputs,
      outputs: { loss: float(head.loss, []), accuracy: float(head.accuracy, []) },
      method_name: method,
    },
    [SIGNATURES.predict]: {
      inputs: { images: batchInputs.images },
      outputs: { scores: float(forward.scores, [-1, spec.numClasses]) },
      method_name: method,
    },
    [SIGNATURES.gradients]: {
      inputs: batchInputs,
      outputs: Object.fromEntries([
        ['loss', float(head.loss, [])],
        ...weights.map((w) => [w.name, float(gradients.get(w.name)!, w.shape)]),
      ]),
      method_name: method,
    },
    [SIGNATURES.getState]: { inputs: {}, outputs: state.outputs, method_name: method },
    [SIGNATURES.setState]: {
      inputs: state.inputs,
      outputs: { [STEP_KEY]: tensorInfo(state.stepAfterSet, 'DT_INT32', []) },
      method_name: method,
    },
  };
  return { graphDef: builder.build(), signatures, saverDef, collections: variableCollections(definitions), variables };
}

/** `get_state` reads every variable; `set_state` assigns every variable from a placeholder. */
function addStateAccess(builder: GraphBuilder, ops: FloatOps, variables: GraphVariable[], iteration: GraphVariable) {
  const outputs: Record<string, TensorInfo> = {};
  const inputs: Record<string, TensorInfo> = {};
  const assigns: string[] = [];
  for (const variable of variables.filter((v) => v !== iteration)) {
    outputs[variable.name] = tensorInfo(
      readVariable(builder, variable.name, 'DT_FLOAT', `get_state/${variable.name}`),
      'DT_FLOAT',
      variable.shape,
    );
    const value = ops.placeholder(`set_state/${variable.name}`, 'DT_FLOAT', variable.shape);
    inputs[variable.name] = tensorInfo(value, 'DT_FLOAT', variable.shape);
    assigns.push(
      builder.add('AssignVariableOp', `set_state/${variable.name}/AssignVariableOp`, [variable.name, value], {
        dtype: { type: 'DT_FLOAT' },
      }),
    );
  }
  // tfjs reads int64 outputs only with a warning, so the step travels as int32.
  const step = readVariable(builder, iteration.name, 'DT_INT64', `get_state/${STEP_KEY}`);
  outputs[STEP_KEY] = tensorInfo(ops.cast(`get_state/${STEP_KEY}/Cast`, step, 'DT_INT64', 'DT_INT32'), 'DT_INT32', []);
  const newStep = ops.placeholder(`set_state/${STEP_KEY}`, 'DT_INT32', []);
  inputs[STEP_KEY] = tensorInfo(newStep, 'DT_INT32', []);
  const castStep = ops.cast(`set_state/${STEP_KEY}/Cast`, newStep, 'DT_INT32', 'DT_INT64');
  assigns.push(
    builder.add('AssignVariableOp', `set_state/${STEP_KEY}/AssignVariableOp`, [iteration.name, castStep], {
      dtype: { type: 'DT_INT64' },
    }),
  );
  const stepAfterSet = builder.add('Identity', 'set_state/done', [newStep, ...assigns.map((a) => `^${a}`)], {
    T: { type: 'DT_INT32' },
  });
  return { outputs, inputs, stepAfterSet };
}

function tensorInfo(node: string, dtype: DataTypeName, dims: number[]): TensorInfo {
  return { name: node.includes(':') ? node : `${node}:0`, dtype, tensor_shape: shapeProto(dims) };
}
