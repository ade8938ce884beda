/**
 * The state training works on, as plain arrays: what a checkpoint stores and what either engine
 * takes and gives back, so checkpoints resume on both. Keys are VariableSpec names.
 */
import { initialVariables } from './init.ts';
import type { ModelSpec } from './spec.ts';

/** The engines that hold a TrainingState: `eager` (tfjs ops) and `graph` (one TF call per step). */
export type EngineKind = 'eager' | 'graph';

/** Everything a checkpoint needs to resume training exactly. */
export interface TrainingState {
  variables: Map<string, Float32Array>;
  /** Adam: `step` updates applied so far, and the first/second moment slots per variable. */
  adam: { step: number; m: Map<string, Float32Array>; v: Map<string, Float32Array> };
}

/** The state a fresh run starts from: seeded Glorot weights, zero Adam slots, step 0. */
export function initialTrainingState(spec: ModelSpec, seed: number): TrainingState {
  const variables = initialVariables(spec, seed);
  return { variables, adam: { step: 0, m: zerosLike(variables), v: zerosLike(variables) } };
}

export function zerosLike(values: Map<string, Float32Array>): Map<string, Float32Array> {
  return new Map([...values].map(([name, array]) => [name, new Float32Array(array.length)]));
}
