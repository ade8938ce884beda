/**
 * The JSON sidecar `PREFIX.json` next to each bundle: what TensorFlow's files cannot say (the
 * model spec, metrics, data source, engine, when). It is written after the bundle and before the
 * `checkpoint` state file, so a prefix without a sidecar is an unfinished write and never loads.
 */
import fs from 'node:fs';
import { DATASET_NAMES, type DatasetName, type DatasetOptions } from '../data/load-dataset.ts';
import { UserInputError } from '../errors.ts';
import { parseModelSpec, type ModelSpec } from '../model/spec.ts';
import type { EpochMetrics, Monitor } from '../model/training-metrics.ts';
import type { EngineKind } from '../model/training-state.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';

export const SIDECAR_FORMAT = 'mnist-serve-checkpoint';

export interface DataSourceMeta {
  /** The dataset name (`mnist`, `mnist-full`, `fashion-mnist`, `idx`) and where it was read. */
  name: string;
  source: string;
  /** The options that reload the same data on --resume. */
  dataDir?: string;
  trainSamples: number;
  testSamples: number;
}

export interface RunSettings {
  epochs: number;
  batchSize: number;
  seed: number;
}

export interface CheckpointMeta {
  format: typeof SIDECAR_FORMAT;
  formatVersion: 1;
  /** Completed epochs, and batches already trained in the next epoch (0 at an epoch's end). */
  epoch: number;
  batch: number;
  /** Optimizer updates applied so far (Adam's iteration count). */
  step: number;
  /** Metrics of the last completed epoch; null before the first one ends. */
  metrics: EpochMetrics | null;
  /** Running sums of the partly trained epoch, so a resumed epoch reports whole-epoch metrics. */
  partialEpoch: { lossSum: number; accuracySum: number; samples: number } | null;
  /** The best monitored value so far, for --save-best-only and early stopping across resumes. */
  best: { monitor: Monitor; value: number; epoch: number } | null;
  reason: 'epoch' | 'interrupted';
  timestamp: string;
  engine: EngineKind;
  weightsOnly: boolean;
  data: DataSourceMeta;
  run: RunSettings;
  spec: ModelSpec;
}

export function sidecarPath(prefix: string): string {
  return `${prefix}.json`;
}

export function writeSidecar(prefix: string, meta: CheckpointMeta): void {
  writeFileAtomic(sidecarPath(prefix), `${JSON.stringify(meta, null, 2)}\n`);
}

/** Reads and checks `PREFIX.json`; every problem names the file and the field. */
export function readSidecar(prefix: string): CheckpointMeta {
  const file = sidecarPath(prefix);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserInputError(
        `${file}: missing; ${prefix} is not a complete mnist-serve checkpoint ` +
          '(an unfinished write, or not a checkpoint prefix)',
      );
    }
    throw error;
  }
  let value: Partial<CheckpointMeta>;
  try {
    value = JSON.parse(text) as Partial<CheckpointMeta>;
  } catch (error) {
    throw new UserInputError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const fail = (field: string, expected: string): never => {
    throw new UserInputError(`${file}: field \`${field}\` must be ${expected}`);
  };
  if (value.format !== SIDECAR_FORMAT) fail('format', `"${SIDECAR_FORMAT}"`);
  if (value.formatVersion !== 1) fail('formatVersion', '1');
  for (const field of ['epoch', 'batch', 'step'] as const) {
    if (!Number.isInteger(value[field]) || value[field]! < 0) fail(field, 'a non-negative integer');
  }
  if (typeof value.timestamp !== 'string') fail('timestamp', 'an ISO date string');
  if (value.engine !== 'eager' && value.engine !== 'graph') fail('engine', '"eager" or "graph"');
  if (typeof value.data !== 'object' || value.data === null || typeof value.data.name !== 'string')
    fail('data', 'an object with a name');
  if (typeof value.run !== 'object' || value.run === null || !Number.isInteger(value.run.seed))
    fail('run', 'an object with epochs, batchSize and seed');
  const spec = parseModelSpec(value.spec, file);
  return { ...(value as CheckpointMeta), spec };
}

/** The dataset options that reload the data a checkpoint was trained on (its seed: the same split). */
export function trainedOnDataset(meta: Pick<CheckpointMeta, 'data' | 'run'>): DatasetOptions {
  const { data, run } = meta;
  return {
    ...((DATASET_NAMES as readonly string[]).includes(data.name) && { data: data.name as DatasetName }),
    ...(data.dataDir !== undefined && { dataDir: data.dataDir }),
    seed: run.seed,
  };
}

/**
 * The checkpoint's dataset with the data flags a user gave laid over it: `--data`/`--data-dir`
 * replace the source (together, since `--data mnist` takes no directory), `--seed` the seed; what
 * is not given stays the checkpoint's. So `--seed 1` alone still reads the data it was trained on.
 */
export function datasetOverCheckpoint(
  meta: Pick<CheckpointMeta, 'data' | 'run'>,
  given: DatasetOptions,
): DatasetOptions {
  const { seed, ...trainedSource } = trainedOnDataset(meta);
  const { seed: givenSeed, ...givenSource } = given;
  const source = given.data !== undefined || given.dataDir !== undefined ? givenSource : trainedSource;
  return { ...source, seed: givenSeed ?? seed };
}
