/**
 * The dataset flags shared by `data`, `train`, `checkpoint evaluate` and `export`, so they mean
 * the same everywhere: --data, --data-dir, --seed.
 */
import { Option, type Command } from 'commander';
import { DATASET_NAMES, DEFAULT_SEED, type DatasetName, type DatasetOptions } from '../data/load-dataset.ts';
import { nonNegativeInteger } from './parse-flags.ts';

export interface DataFlags {
  data?: DatasetName;
  dataDir?: string;
  seed?: number;
}

export function addDataOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--data <name>',
        'dataset: mnist (embedded 10k digits), mnist-full (downloaded), fashion-mnist',
      ).choices([...DATASET_NAMES]),
    )
    .option('--data-dir <dir>', 'a directory of the four IDX files (raw or .gz), e.g. the full MNIST')
    .option(
      '--seed <n>',
      "seed of the embedded set's train/test split; " +
        `for train also of the initial weights and every epoch's shuffle (default: ${DEFAULT_SEED})`,
      nonNegativeInteger,
    );
}

export function datasetOptionsFrom(opts: DataFlags): DatasetOptions {
  return {
    ...(opts.data !== undefined ? { data: opts.data } : {}),
    ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
  };
}
