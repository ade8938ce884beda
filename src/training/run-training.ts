/**
 * `train` as one call: pick up the data, spec and state (fresh, or the latest checkpoint with
 * --resume), build the engine, run the loop, free the engine. The CLI only parses and renders.
 */
import { loadCheckpoint, type LoadedCheckpoint } from '../checkpoint/load.ts';
import { trainedOnDataset, type DataSourceMeta, type RunSettings } from '../checkpoint/meta.ts';
import type { Monitor } from '../model/training-metrics.ts';
import { latestCheckpoint } from '../checkpoint/paths.ts';
import { firstSamples } from '../data/batches.ts';
import { DEFAULT_SEED, loadDataset, type DatasetOptions } from '../data/load-dataset.ts';
import type { Dataset } from '../data/types.ts';
import { createEngine } from '../engine/create-engine.ts';
import type { EngineKind } from '../model/training-state.ts';
import { field, fieldMessage, UserInputError } from '../errors.ts';
import { defaultModelSpec, type Head, type ModelSpec } from '../model/spec.ts';
import type { CheckpointTarget } from './checkpointing.ts';
import type { TrainingEvent, TrainingResult } from './events.ts';
import { initialTrainingState } from '../model/training-state.ts';
import { openTensorBoard } from './tensorboard.ts';
import { runTrainingLoop } from './train-loop.ts';

export interface TrainOptions {
  data: DatasetOptions;
  /** Use only the first N samples of a split (quick runs, tests). */
  trainSamples?: number;
  testSamples?: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  head: Head;
  engine: EngineKind;
  checkpoint: CheckpointTarget;
  /** Continue from the latest checkpoint of the checkpoint directory, if there is one. */
  resume: boolean;
  monitor: Monitor;
  earlyStoppingPatience: number | null;
  tensorboard: string | null;
  signal?: AbortSignal;
  onEvent?: (event: TrainingEvent) => void;
}

export interface TrainOutcome extends TrainingResult {
  spec: ModelSpec;
  data: DataSourceMeta;
  run: RunSettings;
  engine: EngineKind;
  resumedFrom: string | null;
}

async function findResumePoint(options: TrainOptions): Promise<LoadedCheckpoint | null> {
  if (!options.resume) return null;
  if (options.checkpoint.kind !== 'directory') {
    throw new UserInputError([
      ...fieldMessage`${field('resume')} needs ${field('checkpointDir')}: `,
      ...fieldMessage`a weights-only ${field('checkpointPath')} has no optimizer state to resume from`,
    ]);
  }
  const latest = latestCheckpoint(options.checkpoint.dir);
  if (!latest) return null;
  const loaded = await loadCheckpoint(latest);
  if (loaded.meta.weightsOnly)
    throw new UserInputError(`${latest}: a weights-only checkpoint has no optimizer state to resume from`);
  return loaded;
}

export async function train(options: TrainOptions): Promise<TrainOutcome> {
  for (const ref of [field('epochs', options.epochs), field('batchSize', options.batchSize)]) {
    if (!Number.isInteger(ref.value) || Number(ref.value) < 1)
      throw new UserInputError(fieldMessage`${ref}: expected a positive integer`);
  }
  if (!(options.learningRate > 0)) {
    throw new UserInputError(fieldMessage`${field('learningRate', options.learningRate)}: expected a positive number`);
  }
  const resume = await findResumePoint(options);
  // A resumed run keeps what fixes its numbers: the data, its order (seed), batch size and model.
  const run: RunSettings = resume
    ? { ...resume.meta.run, epochs: options.epochs }
    : { epochs: options.epochs, batchSize: options.batchSize, seed: options.data.seed ?? DEFAULT_SEED };
  const datasetOptions = resume ? trainedOnDataset(resume.meta) : { ...options.data, seed: run.seed };
  const trainSamples = resume ? resume.meta.data.trainSamples : options.trainSamples;
  const testSamples = resume ? resume.meta.data.testSamples : options.testSamples;
  const full = await loadDataset(datasetOptions);
  const dataset: Dataset = {
    ...full,
    train: firstSamples(full.train, trainSamples, 'trainSamples'),
    test: firstSamples(full.test, testSamples, 'testSamples'),
  };
  const data: DataSourceMeta = {
    name: dataset.name,
    source: dataset.source,
    dataDir: datasetOptions.dataDir,
    trainSamples: dataset.train.count,
    testSamples: dataset.test.count,
  };
  const spec = resume?.spec ?? defaultModelSpec({ head: options.head, learningRate: options.learningRate });
  const engine = await createEngine(options.engine, spec, resume?.state ?? initialTrainingState(spec, run.seed));
  try {
    const result = await runTrainingLoop({
      engine,
      dataset,
      run,
      data,
      monitor: options.monitor,
      target: options.checkpoint,
      earlyStoppingPatience: options.earlyStoppingPatience,
      tensorboard: options.tensorboard ? await openTensorBoard(options.tensorboard) : null,
      resume,
      signal: options.signal,
      onEvent: options.onEvent,
    });
    return { ...result, spec, data, run, engine: options.engine, resumedFrom: resume?.prefix ?? null };
  } finally {
    engine.dispose();
  }
}
