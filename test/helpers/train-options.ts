import type { TrainOptions } from '../../src/training/run-training.ts';

/**
 * The CLI's defaults for `train` into a checkpoint directory, on the embedded digits: a test
 * names only what it changes (sample counts, epochs, engine).
 */
export function trainOptions(dir: string, overrides: Partial<TrainOptions> = {}): TrainOptions {
  return {
    data: {},
    trainSamples: 256,
    testSamples: 128,
    epochs: 2,
    batchSize: 32,
    learningRate: 0.001,
    head: 'sigmoid',
    engine: 'eager',
    checkpoint: { kind: 'directory', dir, keep: 5, saveBestOnly: false },
    resume: false,
    monitor: 'val_accuracy',
    earlyStoppingPatience: null,
    tensorboard: null,
    ...overrides,
  };
}
