/**
 * One timed training epoch on an engine, the way `train` feeds it: a seeded shuffle per epoch
 * and batches gathered into reused buffers, so the measurement is the engine's, not the input
 * pipeline's.
 */
import { gatherBatch, shuffledIndices } from '../src/data/batches.ts';
import type { Split } from '../src/data/types.ts';
import type { TrainingEngine } from '../src/engine/training-engine.ts';

export interface EpochTiming {
  samples: number;
  seconds: number;
  samplesPerSecond: number;
  /** Sample-weighted mean training loss and accuracy over the epoch. */
  loss: number;
  accuracy: number;
  /** Per-batch losses, for comparing engines' learning curves. */
  losses: number[];
}

export async function timeEpoch(
  engine: TrainingEngine,
  split: Split,
  batchSize: number,
  seed: number,
  epoch: number,
): Promise<EpochTiming> {
  const order = shuffledIndices(split.count, seed, epoch);
  const pixels = split.images.length / split.count;
  const buffers = { images: new Float32Array(batchSize * pixels), labels: new Int32Array(batchSize) };
  const losses: number[] = [];
  let lossSum = 0;
  let accuracySum = 0;
  const started = process.hrtime.bigint();
  for (let start = 0; start < split.count; start += batchSize) {
    const batch = gatherBatch(split, order, start, batchSize, buffers);
    const metrics = await engine.trainBatch(batch.images, batch.labels, batch.count);
    losses.push(metrics.loss);
    lossSum += metrics.loss * batch.count;
    accuracySum += metrics.accuracy * batch.count;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    samples: split.count,
    seconds,
    samplesPerSecond: split.count / seconds,
    loss: lossSum / split.count,
    accuracy: accuracySum / split.count,
    losses,
  };
}
