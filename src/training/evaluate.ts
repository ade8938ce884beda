/** Loss and accuracy of the engine's current weights over a whole split, as Keras's evaluate. */
import { gatherBatch } from '../data/batches.ts';
import type { Split } from '../data/types.ts';
import type { TrainingEngine } from '../engine/training-engine.ts';
import type { BatchMetrics } from '../model/training-metrics.ts';

/** Large enough to amortise per-call overhead, small enough to keep memory flat. */
export const EVAL_BATCH_SIZE = 500;

/** Sample-weighted means over the split (the last, short batch counts for what it holds). */
export async function evaluateSplit(
  engine: TrainingEngine,
  split: Split,
  batchSize = EVAL_BATCH_SIZE,
): Promise<BatchMetrics> {
  if (split.count === 0) throw new Error('cannot evaluate an empty split');
  let lossSum = 0;
  let accuracySum = 0;
  for (let start = 0; start < split.count; start += batchSize) {
    const batch = gatherBatch(split, null, start, batchSize);
    const metrics = await engine.evaluate(batch.images, batch.labels, batch.count);
    lossSum += metrics.loss * batch.count;
    accuracySum += metrics.accuracy * batch.count;
  }
  return { loss: lossSum / split.count, accuracy: accuracySum / split.count };
}
