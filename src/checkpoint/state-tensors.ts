/**
 * TrainingState ↔ the tensors of a checkpoint bundle. Variables keep their Keras names
 * (`conv2d/kernel`), as TF's name-based savers wrote them; Adam's moments sit under
 * `optimizer/<variable>/m` and `/v`, its step under `optimizer/iter` (int64, as Keras names it),
 * and the loop's position under `training/epoch` and `training/batch` (int64). A weights-only
 * checkpoint (the notebook's save_weights_only mode) holds just the variables.
 */
import { UserInputError } from '../errors.ts';
import type { BundleTensor } from '../formats/tensor-bundle/index.ts';
import type { TrainingState } from '../model/training-state.ts';
import { variableSpecs, type ModelSpec } from '../model/spec.ts';
import { zerosLike } from '../model/training-state.ts';

export const OPTIMIZER_ITER_KEY = 'optimizer/iter';
export const EPOCH_KEY = 'training/epoch';
export const BATCH_KEY = 'training/batch';

export const slotKey = (variable: string, slot: 'm' | 'v'): string => `optimizer/${variable}/${slot}`;

/** Where the training loop stands: completed epochs, and batches done in the next one. */
export interface TrainingPosition {
  epoch: number;
  batch: number;
}

export function stateToTensors(
  spec: ModelSpec,
  state: TrainingState,
  position: TrainingPosition,
  options: { weightsOnly?: boolean } = {},
): BundleTensor[] {
  const tensors: BundleTensor[] = [];
  for (const variable of variableSpecs(spec)) {
    tensors.push({
      name: variable.name,
      dtype: 'float32',
      shape: variable.shape,
      data: state.variables.get(variable.name)!,
    });
    if (options.weightsOnly) continue;
    tensors.push({
      name: slotKey(variable.name, 'm'),
      dtype: 'float32',
      shape: variable.shape,
      data: state.adam.m.get(variable.name)!,
    });
    tensors.push({
      name: slotKey(variable.name, 'v'),
      dtype: 'float32',
      shape: variable.shape,
      data: state.adam.v.get(variable.name)!,
    });
  }
  if (!options.weightsOnly) {
    const counter = (name: string, value: number): BundleTensor => ({
      name,
      dtype: 'int64',
      shape: [],
      data: BigInt64Array.of(BigInt(value)),
    });
    tensors.push(
      counter(OPTIMIZER_ITER_KEY, state.adam.step),
      counter(EPOCH_KEY, position.epoch),
      counter(BATCH_KEY, position.batch),
    );
  }
  return tensors;
}

/**
 * Reads the state back, checking every variable's dtype and shape against the spec. A bundle
 * without optimizer tensors (weights only) gives zero Adam slots, step 0 and position 0.
 */
export function tensorsToState(
  spec: ModelSpec,
  tensors: BundleTensor[],
  source: string,
): { state: TrainingState; position: TrainingPosition; weightsOnly: boolean } {
  const byName = new Map(tensors.map((tensor) => [tensor.name, tensor]));
  const float = (name: string, shape: number[]): Float32Array => {
    const tensor = byName.get(name);
    if (!tensor) throw new UserInputError(`${source}: checkpoint has no tensor \`${name}\``);
    if (tensor.dtype !== 'float32' || tensor.shape.join(',') !== shape.join(',')) {
      throw new UserInputError(
        `${source}: tensor \`${name}\` is ${tensor.dtype} [${tensor.shape}], ` +
          `expected float32 [${shape}] for this model spec`,
      );
    }
    return tensor.data as Float32Array;
  };
  const counter = (name: string): number => {
    const tensor = byName.get(name);
    if (!tensor) throw new UserInputError(`${source}: checkpoint has no tensor \`${name}\``);
    if (tensor.dtype !== 'int64' || tensor.shape.length !== 0) {
      throw new UserInputError(
        `${source}: tensor \`${name}\` is ${tensor.dtype} [${tensor.shape}], expected an int64 scalar`,
      );
    }
    return Number((tensor.data as BigInt64Array)[0]);
  };

  const variables = new Map(variableSpecs(spec).map((v) => [v.name, float(v.name, v.shape)] as const));
  const weightsOnly = !byName.has(OPTIMIZER_ITER_KEY);
  if (weightsOnly) {
    return {
      state: { variables, adam: { step: 0, m: zerosLike(variables), v: zerosLike(variables) } },
      position: { epoch: 0, batch: 0 },
      weightsOnly,
    };
  }
  const slots = (slot: 'm' | 'v') =>
    new Map(variableSpecs(spec).map((v) => [v.name, float(slotKey(v.name, slot), v.shape)] as const));
  return {
    state: { variables, adam: { step: counter(OPTIMIZER_ITER_KEY), m: slots('m'), v: slots('v') } },
    position: { epoch: counter(EPOCH_KEY), batch: counter(BATCH_KEY) },
    weightsOnly,
  };
}
