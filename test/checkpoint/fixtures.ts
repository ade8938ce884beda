/** Checkpoint fixtures built in code: a real-shaped TrainingState and sidecar, no TensorFlow needed. */
import { SIDECAR_FORMAT, type CheckpointMeta } from '../../src/checkpoint/meta.ts';
import type { EpochMetrics } from '../../src/model/training-metrics.ts';
import type { TrainingState } from '../../src/model/training-state.ts';
import { defaultModelSpec } from '../../src/model/spec.ts';
import { seededRandom } from '../../src/util/random.ts';
import { initialTrainingState } from '../../src/model/training-state.ts';
import { tempDir as labelledTempDir } from '../helpers/temp-dir.ts';

export const spec = defaultModelSpec();

export const tempDir = (): string => labelledTempDir('ckpt');

/** Weights from the seed, and Adam slots filled with seeded values so they are not all zero. */
export function sampleState(seed: number, step = 10): TrainingState {
  const state = initialTrainingState(spec, seed);
  const random = seededRandom(seed + 1000);
  for (const slots of [state.adam.m, state.adam.v])
    for (const values of slots.values()) values.forEach((_, i) => (values[i] = random()));
  state.adam.step = step;
  return state;
}

export function sampleMeta(epoch: number, metrics: Partial<EpochMetrics> = {}): CheckpointMeta {
  return {
    format: SIDECAR_FORMAT,
    formatVersion: 1,
    epoch,
    batch: 0,
    step: epoch * 10,
    metrics: {
      loss: 1 / epoch,
      accuracy: 0.5 + epoch / 100,
      val_loss: 1 / epoch,
      val_accuracy: 0.5 + epoch / 100,
      ...metrics,
    },
    partialEpoch: null,
    best: null,
    reason: 'epoch',
    timestamp: new Date(0).toISOString(),
    engine: 'eager',
    weightsOnly: false,
    data: { name: 'mnist', source: 'test', trainSamples: 100, testSamples: 50 },
    run: { epochs: 5, batchSize: 32, seed: 1 },
    spec,
  };
}
