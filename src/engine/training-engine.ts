/**
 * The contract between the training loop and an engine. `eager` (tfjs ops from JavaScript) is
 * the reference; `graph` runs each step as one TensorFlow graph call. Both hold the same state,
 * so checkpoints are identical in format and a run can resume on either engine.
 */
import type { ModelSpec } from '../model/spec.ts';
import type { BatchMetrics } from '../model/training-metrics.ts';
import type { EngineKind, TrainingState } from '../model/training-state.ts';

/**
 * Images are float32 in 0–1, NHWC, `count` examples laid out back to back; labels are class
 * indices. Engines own their tensors and free them in `dispose()`.
 */
export interface TrainingEngine {
  readonly kind: EngineKind;
  readonly spec: ModelSpec;
  trainBatch(images: Float32Array, labels: Int32Array, count: number): Promise<BatchMetrics>;
  evaluate(images: Float32Array, labels: Int32Array, count: number): Promise<BatchMetrics>;
  /** Class scores [count, numClasses], the output of the head. */
  predict(images: Float32Array, count: number): Promise<Float32Array>;
  getState(): Promise<TrainingState>;
  setState(state: TrainingState): Promise<void>;
  dispose(): void;
}
