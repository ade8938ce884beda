/**
 * What `checkpoint evaluate` and `checkpoint restore` do with a checkpoint's weights: load and
 * verify them, put them into an engine, and measure or check them there.
 */
import { loadCheckpoint } from '../checkpoint/load.ts';
import { promoteCheckpoint } from '../checkpoint/manager.ts';
import { datasetOverCheckpoint } from '../checkpoint/meta.ts';
import { firstSamples } from '../data/batches.ts';
import { loadDataset, type DatasetOptions } from '../data/load-dataset.ts';
import { createEngine, DEFAULT_ENGINE } from '../engine/create-engine.ts';
import type { EngineKind } from '../model/training-state.ts';
import { OperationalError } from '../errors.ts';
import { parameterCount, variableSpecs } from '../model/spec.ts';
import { evaluateSplit } from './evaluate.ts';

export interface CheckpointEvaluation {
  prefix: string;
  epoch: number;
  step: number;
  data: { name: string; source: string; samples: number };
  loss: number;
  accuracy: number;
}

/**
 * Test-split loss and accuracy of the checkpoint's weights, on the data source the checkpoint was
 * trained on (same seed, so the same test split) with any given data options laid over it.
 */
export async function evaluateCheckpoint(
  prefix: string,
  options: { data?: DatasetOptions; testSamples?: number; engine?: EngineKind } = {},
): Promise<CheckpointEvaluation> {
  const checkpoint = await loadCheckpoint(prefix);
  const dataset = await loadDataset(datasetOverCheckpoint(checkpoint.meta, options.data ?? {}));
  const test = firstSamples(dataset.test, options.testSamples, 'testSamples');
  const engine = await createEngine(options.engine ?? DEFAULT_ENGINE, checkpoint.spec, checkpoint.state);
  try {
    const metrics = await evaluateSplit(engine, test);
    return {
      prefix,
      epoch: checkpoint.meta.epoch,
      step: checkpoint.meta.step,
      data: { name: dataset.name, source: dataset.source, samples: test.count },
      ...metrics,
    };
  } finally {
    engine.dispose();
  }
}

export interface CheckpointRestore {
  prefix: string;
  epoch: number;
  step: number;
  variables: number;
  parameters: number;
  weightsOnly: boolean;
  promoted: boolean;
}

/**
 * Verifies every checksum, loads the weights into the model and reads them back unchanged;
 * with `promote`, makes the checkpoint the latest of its directory.
 */
export async function restoreCheckpoint(
  prefix: string,
  options: { promote?: boolean; engine?: EngineKind } = {},
): Promise<CheckpointRestore> {
  const checkpoint = await loadCheckpoint(prefix);
  const engine = await createEngine(options.engine ?? DEFAULT_ENGINE, checkpoint.spec, checkpoint.state);
  try {
    const restored = await engine.getState();
    for (const variable of variableSpecs(checkpoint.spec)) {
      const expected = checkpoint.state.variables.get(variable.name)!;
      const actual = restored.variables.get(variable.name)!;
      if (!expected.every((value, i) => Object.is(value, actual[i]))) {
        throw new OperationalError(`${prefix}: variable ${variable.name} did not load into the model unchanged`);
      }
    }
  } finally {
    engine.dispose();
  }
  if (options.promote) await promoteCheckpoint(prefix);
  return {
    prefix,
    epoch: checkpoint.meta.epoch,
    step: checkpoint.meta.step,
    variables: variableSpecs(checkpoint.spec).length,
    parameters: parameterCount(checkpoint.spec),
    weightsOnly: checkpoint.meta.weightsOnly,
    promoted: Boolean(options.promote),
  };
}
