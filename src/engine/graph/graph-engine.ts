/**
 * The graph engine: each training step is one TensorFlow session run of the compiled training
 * graph (forward, loss, backward and Adam in C++), instead of ~100 ops dispatched one by one
 * from JavaScript. The graph is packaged as a SavedModel in a private temporary directory with
 * the starting state as its variables, loaded once per signature — tfjs-node shares one session
 * among loads of the same path and tags, so the resource variables persist across all
 * signatures between calls. The directory stays until dispose(): tfjs-node keys sessions by
 * path, so a live session's path must not be reused by a later engine's temporary directory.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as tfjs from '@tensorflow/tfjs-node';
import type { ModelSpec } from '../../model/spec.ts';
import { SERVE_TAG } from '../../formats/tensorflow/constants.ts';
import { writeSavedModel } from '../../savedmodel/writer.ts';
import { loadTf, type Tf } from '../../runtime/tf.ts';
import type { TrainingEngine } from '../training-engine.ts';
import type { BatchMetrics } from '../../model/training-metrics.ts';
import type { TrainingState } from '../../model/training-state.ts';
import { buildTrainingGraph, SIGNATURES, STEP_KEY } from './training-graph.ts';
import { stateBundle, stateEntries, stateFromValues } from './training-state-tensors.ts';

type Signature = (typeof SIGNATURES)[keyof typeof SIGNATURES];
type SavedModelSignature = Awaited<ReturnType<Tf['node']['loadSavedModel']>>;
type Session = Record<Signature, SavedModelSignature>;

export async function createGraphEngine(spec: ModelSpec, state: TrainingState): Promise<GraphEngine> {
  const tf = await loadTf();
  const graph = buildTrainingGraph(spec);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-serve-graph-engine-'));
  try {
    writeSavedModel(dir, { ...graph, variables: stateBundle(spec, state) });
    const session: Partial<Session> = {};
    try {
      for (const signature of Object.values(SIGNATURES)) {
        session[signature] = await tf.node.loadSavedModel(dir, [SERVE_TAG], signature);
      }
    } catch (error) {
      Object.values(session).forEach((model) => model.dispose());
      throw error;
    }
    return new GraphEngine(tf, spec, session as Session, dir);
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

export class GraphEngine implements TrainingEngine {
  readonly kind = 'graph';
  private disposed = false;

  constructor(
    private readonly tf: Tf,
    readonly spec: ModelSpec,
    private readonly session: Session,
    private readonly dir: string,
  ) {}

  async trainBatch(images: Float32Array, labels: Int32Array, count: number): Promise<BatchMetrics> {
    return this.runMetrics(SIGNATURES.trainStep, images, labels, count);
  }

  async evaluate(images: Float32Array, labels: Int32Array, count: number): Promise<BatchMetrics> {
    return this.runMetrics(SIGNATURES.evaluate, images, labels, count);
  }

  async predict(images: Float32Array, count: number): Promise<Float32Array> {
    return this.run(SIGNATURES.predict, { images: this.imageTensor(images, count) }, (outputs) =>
      readFloats(outputs.scores!),
    );
  }

  /** ∂(mean loss)/∂variable for one batch, by variable name, plus `loss`; changes nothing. */
  async gradients(images: Float32Array, labels: Int32Array, count: number): Promise<Map<string, Float32Array>> {
    return this.run(
      SIGNATURES.gradients,
      this.batchTensors(images, labels, count),
      (outputs) => new Map(Object.entries(outputs).map(([name, tensor]) => [name, readFloats(tensor)])),
    );
  }

  async getState(): Promise<TrainingState> {
    return this.run(SIGNATURES.getState, {}, (outputs) =>
      stateFromValues(this.spec, (name) => readFloats(outputs[name]!), outputs[STEP_KEY]!.dataSync()[0]!),
    );
  }

  async setState(state: TrainingState): Promise<void> {
    const entries = stateEntries(this.spec, state);
    const inputs: Record<string, tfjs.Tensor> = { [STEP_KEY]: this.tf.scalar(state.adam.step, 'int32') };
    for (const entry of entries) inputs[entry.name] = this.tf.tensor(entry.values, entry.shape, 'float32');
    this.run(SIGNATURES.setState, inputs, () => undefined);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // The last TFSavedModel of a session deletes the session.
    for (const model of Object.values(this.session)) model.dispose();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private runMetrics(signature: Signature, images: Float32Array, labels: Int32Array, count: number): BatchMetrics {
    return this.run(signature, this.batchTensors(images, labels, count), (outputs) => ({
      loss: outputs.loss!.dataSync()[0]!,
      accuracy: outputs.accuracy!.dataSync()[0]!,
    }));
  }

  /** One session run: `read` takes what it needs from the outputs, then inputs and outputs are freed. */
  private run<T>(
    signature: Signature,
    inputs: Record<string, tfjs.Tensor>,
    read: (outputs: Record<string, tfjs.Tensor>) => T,
  ): T {
    try {
      if (this.disposed) throw new Error('the graph engine has been disposed');
      const outputs = this.session[signature].predict(inputs) as Record<string, tfjs.Tensor>;
      try {
        return read(outputs);
      } finally {
        Object.values(outputs).forEach((t) => t.dispose());
      }
    } finally {
      Object.values(inputs).forEach((t) => t.dispose());
    }
  }

  private batchTensors(images: Float32Array, labels: Int32Array, count: number): Record<string, tfjs.Tensor> {
    return { images: this.imageTensor(images, count), labels: this.tf.tensor1d(labels.subarray(0, count), 'int32') };
  }

  private imageTensor(images: Float32Array, count: number): tfjs.Tensor {
    const [h, w, c] = this.spec.inputShape;
    return this.tf.tensor4d(images.subarray(0, count * h * w * c), [count, h, w, c]);
  }
}

function readFloats(tensor: tfjs.Tensor): Float32Array {
  return Float32Array.from(tensor.dataSync() as Float32Array);
}
