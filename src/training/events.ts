/** What the training loop reports while it runs and when it ends; the CLI renders these. */
import type { EpochMetrics, Monitor } from '../model/training-metrics.ts';
import type { BatchMetrics } from '../model/training-metrics.ts';

/** Epoch numbers in events and results are 1-based, as Keras prints them. */
export type TrainingEvent =
  | {
      type: 'start';
      epoch: number;
      epochs: number;
      batchesPerEpoch: number;
      trainSamples: number;
      resumedFrom: string | null;
    }
  | {
      type: 'batch';
      epoch: number;
      batch: number;
      batches: number;
      loss: number;
      accuracy: number;
      samplesPerSecond: number;
      elapsedSeconds: number;
    }
  | { type: 'epoch'; record: EpochRecord; epochs: number }
  | { type: 'early-stopping'; epoch: number; monitor: Monitor; bestEpoch: number; bestValue: number };

export interface EpochRecord extends EpochMetrics {
  epoch: number;
  seconds: number;
  samplesPerSecond: number;
  /** The checkpoint written after this epoch, if any. */
  checkpoint: string | null;
}

export type TrainingStatus = 'completed' | 'early-stopped' | 'interrupted';

export interface TrainingResult {
  status: TrainingStatus;
  /** Epochs completed in this run (a resumed run lists only its own). */
  history: EpochRecord[];
  /** Test-split metrics of the final weights; null when interrupted. */
  evaluation: BatchMetrics | null;
  /** The last checkpoint written (the one to resume from), or null when none was. */
  checkpoint: string | null;
  /** Completed epochs and optimizer steps at the end. */
  epoch: number;
  step: number;
  /** Wall time of the whole run and training throughput over the batches trained in it. */
  durationSeconds: number;
  samplesPerSecond: number;
}
