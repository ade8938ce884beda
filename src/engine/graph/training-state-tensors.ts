/**
 * TrainingState ⇄ the training graph's variables: the bundle the saver restores at load, the
 * `set_state` inputs and the `get_state` outputs all use the graph's state names
 * (`conv2d/kernel`, `adam/m/conv2d/kernel`, `adam/v/conv2d/kernel`, …, `adam/iteration`).
 */
import type { BundleTensor } from '../../formats/tensor-bundle/index.ts';
import { variableSpecs, type ModelSpec } from '../../model/spec.ts';
import type { TrainingState } from '../../model/training-state.ts';
import { ITERATION_VARIABLE, slotNames } from './training-graph.ts';

export interface StateEntry {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** Every float tensor of the state in graph order (weights, then m and v slots); checks the step too. */
export function stateEntries(spec: ModelSpec, state: TrainingState): StateEntry[] {
  if (!Number.isSafeInteger(state.adam.step) || state.adam.step < 0)
    throw new Error(`training state step ${state.adam.step} is not a count`);
  const weights = variableSpecs(spec);
  const take = (map: Map<string, Float32Array>, key: string, name: string, shape: number[]): StateEntry => {
    const values = map.get(key);
    const size = shape.reduce((a, b) => a * b, 1);
    if (!values) throw new Error(`training state has no ${name}`);
    if (values.length !== size)
      throw new Error(
        `training state ${name} has ${values.length} values, expected ${size} for shape [${shape.join(', ')}]`,
      );
    return { name, shape, values };
  };
  return [
    ...weights.map((w) => take(state.variables, w.name, w.name, w.shape)),
    ...weights.flatMap((w) => [
      take(state.adam.m, w.name, slotNames(w.name).m, w.shape),
      take(state.adam.v, w.name, slotNames(w.name).v, w.shape),
    ]),
  ];
}

/** The tensors the training SavedModel's saver restores at load. */
export function stateBundle(spec: ModelSpec, state: TrainingState): BundleTensor[] {
  return [
    ...stateEntries(spec, state).map(
      (e): BundleTensor => ({ name: e.name, dtype: 'float32', shape: e.shape, data: e.values }),
    ),
    { name: ITERATION_VARIABLE, dtype: 'int64', shape: [], data: BigInt64Array.of(BigInt(state.adam.step)) },
  ];
}

/** Rebuilds a TrainingState from values keyed by state name (`get_state`'s outputs). */
export function stateFromValues(spec: ModelSpec, values: (name: string) => Float32Array, step: number): TrainingState {
  const state: TrainingState = { variables: new Map(), adam: { step, m: new Map(), v: new Map() } };
  for (const w of variableSpecs(spec)) {
    state.variables.set(w.name, values(w.name));
    state.adam.m.set(w.name, values(slotNames(w.name).m));
    state.adam.v.set(w.name, values(slotNames(w.name).v));
  }
  return state;
}
