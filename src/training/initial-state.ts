/** The state a fresh run starts from: seeded Glorot weights, zero Adam slots, step 0. */
import type { TrainingState } from '../engine/training-engine.ts';
import { initialVariables } from '../model/init.ts';
import type { ModelSpec } from '../model/spec.ts';

export function initialTrainingState(spec: ModelSpec, seed: number): TrainingState {
  const variables = initialVariables(spec, seed);
  return { variables, adam: { step: 0, m: zerosLike(variables), v: zerosLike(variables) } };
}

export function zerosLike(values: Map<string, Float32Array>): Map<string, Float32Array> {
  return new Map([...values].map(([name, array]) => [name, new Float32Array(array.length)]));
}
