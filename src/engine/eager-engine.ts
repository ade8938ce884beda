/**
 * The eager engine: the model's variables as tfjs variables, gradients from tf.variableGrads
 * over the spec's forward pass, and Adam applied explicitly. tf.train.adam is not used because
 * it places epsilon after bias-correcting v (paper form); Keras (and TF's ResourceApplyAdam)
 * fold the bias correction into the step size, which changes the numbers slightly:
 *   lr_t = lr·√(1−β₂ᵗ)/(1−β₁ᵗ);  m += (g−m)(1−β₁);  v += (g²−v)(1−β₂);  w −= lr_t·m/(√v+ε)
 */
import type * as tfjs from '@tensorflow/tfjs-node';
import { accuracy, forward, sparseCategoricalCrossEntropy } from '../model/forward.ts';
import { variableSpecs, type ModelSpec, type VariableSpec } from '../model/spec.ts';
import { useNativeReluGradient } from './relu-gradient.ts';
import { loadTf, type Tf } from '../runtime/tf.ts';
import type { TrainingEngine } from './training-engine.ts';
import type { BatchMetrics } from '../model/training-metrics.ts';
import type { TrainingState } from '../model/training-state.ts';

interface Slot {
  spec: VariableSpec;
  weight: tfjs.Variable;
  m: tfjs.Variable;
  v: tfjs.Variable;
}

export async function createEagerEngine(spec: ModelSpec, state: TrainingState): Promise<TrainingEngine> {
  const tf = await loadTf();
  useNativeReluGradient(tf);
  return new EagerEngine(tf, spec, state);
}

class EagerEngine implements TrainingEngine {
  readonly kind = 'eager' as const;
  private readonly slots: Slot[];
  private step: number;

  constructor(
    private readonly tf: Tf,
    readonly spec: ModelSpec,
    state: TrainingState,
  ) {
    this.slots = variableSpecs(spec).map((variable) => ({
      spec: variable,
      weight: tf.variable(tf.tensor(stateArray(state.variables, variable), variable.shape), true),
      m: tf.variable(tf.tensor(stateArray(state.adam.m, variable), variable.shape), false),
      v: tf.variable(tf.tensor(stateArray(state.adam.v, variable), variable.shape), false),
    }));
    this.step = state.adam.step;
  }

  private weight = (name: string): tfjs.Tensor => {
    const slot = this.slots.find((s) => s.spec.name === name);
    if (!slot) throw new Error(`the model spec has no variable ${name}`);
    return slot.weight;
  };

  private inputs(images: Float32Array, count: number): tfjs.Tensor4D {
    const [h, w, c] = this.spec.inputShape;
    return this.tf.tensor4d(images.subarray(0, count * h * w * c), [count, h, w, c]);
  }

  async trainBatch(images: Float32Array, labels: Int32Array, count: number): Promise<BatchMetrics> {
    const tf = this.tf;
    const [loss, acc] = tf.tidy(() => {
      const x = this.inputs(images, count);
      const y = tf.tensor1d(labels.subarray(0, count), 'int32');
      let batchAccuracy: tfjs.Scalar | undefined;
      const { value, grads } = tf.variableGrads(
        () => {
          const scores = forward(tf, this.spec, this.weight, x);
          // Kept so it survives variableGrads' own tidy; the outer tidy frees it.
          batchAccuracy = tf.keep(accuracy(tf, scores, y));
          return sparseCategoricalCrossEntropy(tf, scores, y);
        },
        this.slots.map((s) => s.weight),
      );
      this.applyAdam(grads);
      return [value, batchAccuracy!];
    });
    const metrics = { loss: (await loss.data())[0]!, accuracy: (await acc.data())[0]! };
    loss.dispose();
    acc.dispose();
    return metrics;
  }

  private applyAdam(grads: tfjs.NamedTensorMap): void {
    const tf = this.tf;
    const { learningRate, beta1, beta2, epsilon } = this.spec.optimizer;
    this.step += 1;
    const alpha = (learningRate * Math.sqrt(1 - beta2 ** this.step)) / (1 - beta1 ** this.step);
    for (const slot of this.slots) {
      const g = grads[slot.weight.name]!;
      slot.m.assign(tf.add(slot.m, tf.mul(tf.sub(g, slot.m), 1 - beta1)));
      slot.v.assign(tf.add(slot.v, tf.mul(tf.sub(tf.square(g), slot.v), 1 - beta2)));
      slot.weight.assign(tf.sub(slot.weight, tf.div(tf.mul(slot.m, alpha), tf.add(tf.sqrt(slot.v), epsilon))));
    }
  }

  async evaluate(images: Float32Array, labels: Int32Array, count: number): Promise<BatchMetrics> {
    const tf = this.tf;
    const [loss, acc] = tf.tidy(() => {
      const y = tf.tensor1d(labels.subarray(0, count), 'int32');
      const scores = forward(tf, this.spec, this.weight, this.inputs(images, count));
      return [sparseCategoricalCrossEntropy(tf, scores, y), accuracy(tf, scores, y)];
    });
    const metrics = { loss: (await loss!.data())[0]!, accuracy: (await acc!.data())[0]! };
    loss!.dispose();
    acc!.dispose();
    return metrics;
  }

  async predict(images: Float32Array, count: number): Promise<Float32Array> {
    const scores = this.tf.tidy(() => forward(this.tf, this.spec, this.weight, this.inputs(images, count)));
    const values = (await scores.data()) as Float32Array;
    scores.dispose();
    return values;
  }

  async getState(): Promise<TrainingState> {
    const read = async (pick: (slot: Slot) => tfjs.Variable) =>
      new Map(
        await Promise.all(this.slots.map(async (s) => [s.spec.name, Float32Array.from(await pick(s).data())] as const)),
      );
    return {
      variables: await read((s) => s.weight),
      adam: { step: this.step, m: await read((s) => s.m), v: await read((s) => s.v) },
    };
  }

  async setState(state: TrainingState): Promise<void> {
    for (const slot of this.slots) {
      const shape = slot.spec.shape;
      this.tf.tidy(() => {
        slot.weight.assign(this.tf.tensor(stateArray(state.variables, slot.spec), shape));
        slot.m.assign(this.tf.tensor(stateArray(state.adam.m, slot.spec), shape));
        slot.v.assign(this.tf.tensor(stateArray(state.adam.v, slot.spec), shape));
      });
    }
    this.step = state.adam.step;
  }

  dispose(): void {
    for (const slot of this.slots) {
      slot.weight.dispose();
      slot.m.dispose();
      slot.v.dispose();
    }
  }
}

/** The state's values for one variable, checked against the spec's shape. */
function stateArray(values: Map<string, Float32Array>, variable: VariableSpec): Float32Array {
  const array = values.get(variable.name);
  const size = variable.shape.reduce((a, b) => a * b, 1);
  if (!array) throw new Error(`training state has no value for ${variable.name}`);
  if (array.length !== size) {
    throw new Error(
      `training state value for ${variable.name} has ${array.length} elements, ` +
        `expected ${size} (shape [${variable.shape}])`,
    );
  }
  return array;
}
