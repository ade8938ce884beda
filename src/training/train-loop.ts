/**
 * The training loop, engine-agnostic: seeded shuffle per epoch, batches, validation on the test
 * split after each epoch, checkpoints, save-best, early stopping, TensorBoard, and a clean stop
 * on an abort signal (SIGINT/SIGTERM): the current step finishes, a checkpoint is written at the
 * exact batch (none when nothing changed since the last one, or a fresh run took no step yet),
 * and the result says "interrupted". It reports through `onEvent`, never prints.
 */
import type { LoadedCheckpoint } from '../checkpoint/load.ts';
import type { CheckpointMeta } from '../checkpoint/meta.ts';
import type { EpochMetrics, Monitor } from '../model/training-metrics.ts';
import { gatherBatch, shuffledIndices } from '../data/batches.ts';
import type { Dataset } from '../data/types.ts';
import type { TrainingEngine } from '../engine/training-engine.ts';
import { writeTrainingCheckpoint, type CheckpointContext } from './checkpointing.ts';
import { evaluateSplit } from './evaluate.ts';
import type { EpochRecord, TrainingEvent, TrainingResult } from './events.ts';
import type { EpochSummaryWriter } from './tensorboard.ts';

export interface TrainingLoopOptions extends CheckpointContext {
  engine: TrainingEngine;
  dataset: Dataset;
  earlyStoppingPatience: number | null;
  tensorboard: EpochSummaryWriter | null;
  /** Continue from this checkpoint's weights, Adam state and position. */
  resume: LoadedCheckpoint | null;
  signal?: AbortSignal;
  onEvent?: (event: TrainingEvent) => void;
}

type Best = CheckpointMeta['best'];

export function improves(monitor: Monitor, value: number, best: Best): boolean {
  if (!best) return true;
  return monitor === 'val_loss' ? value < best.value : value > best.value;
}

/** Signal handlers are macrotasks; a loop of resolved promises would never let them run. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function runTrainingLoop(options: TrainingLoopOptions): Promise<TrainingResult> {
  const { engine, dataset, run, monitor, resume, signal } = options;
  const emit = options.onEvent ?? (() => {});
  const started = performance.now();
  const train = dataset.train;
  const batches = Math.ceil(train.count / run.batchSize);
  const [h, w, c] = dataset.imageShape;
  const buffers = { images: new Float32Array(run.batchSize * h * w * c), labels: new Int32Array(run.batchSize) };

  let epoch = resume?.position.epoch ?? 0;
  let startBatch = resume?.position.batch ?? 0;
  let partial = resume?.meta.partialEpoch ?? null;
  // A best value kept for another metric says nothing about this one: start that tracking afresh.
  let best: Best = resume?.meta.best?.monitor === monitor ? resume.meta.best : null;
  let lastMetrics: EpochMetrics | null = resume?.meta.metrics ?? null;
  let checkpoint: string | null = resume?.prefix ?? null;
  // True while the engine's state is exactly what the last checkpoint holds, or, in a fresh run
  // before its first step, the untrained initial state: an interruption then has nothing to save.
  let stateIsSaved = true;
  let trainedSamples = 0;
  let trainingSeconds = 0;
  const history: EpochRecord[] = [];

  const finish = async (status: TrainingResult['status'], evaluate: boolean): Promise<TrainingResult> => {
    options.tensorboard?.close();
    const evaluation = evaluate ? await evaluateSplit(engine, dataset.test) : null;
    const { adam } = await engine.getState();
    return {
      status,
      history,
      evaluation,
      checkpoint,
      epoch,
      step: adam.step,
      durationSeconds: (performance.now() - started) / 1000,
      samplesPerSecond: trainingSeconds > 0 ? trainedSamples / trainingSeconds : 0,
    };
  };

  emit({
    type: 'start',
    epoch: epoch + 1,
    epochs: run.epochs,
    batchesPerEpoch: batches,
    trainSamples: train.count,
    resumedFrom: resume?.prefix ?? null,
  });
  for (; epoch < run.epochs; epoch += 1) {
    const order = shuffledIndices(train.count, run.seed, epoch);
    const sums = partial ?? { lossSum: 0, accuracySum: 0, samples: 0 };
    const epochStarted = performance.now();
    let epochSamples = 0;
    for (let batch = startBatch; batch < batches; batch += 1) {
      await yieldToEventLoop();
      if (signal?.aborted) {
        if (!stateIsSaved) {
          const progress = {
            epoch,
            batch,
            metrics: lastMetrics,
            partialEpoch: sums,
            best,
            reason: 'interrupted',
          } as const;
          checkpoint = await writeTrainingCheckpoint(options, engine, progress);
        }
        return finish('interrupted', false);
      }
      const data = gatherBatch(train, order, batch * run.batchSize, run.batchSize, buffers);
      const metrics = await engine.trainBatch(data.images, data.labels, data.count);
      stateIsSaved = false;
      sums.lossSum += metrics.loss * data.count;
      sums.accuracySum += metrics.accuracy * data.count;
      sums.samples += data.count;
      epochSamples += data.count;
      const elapsedSeconds = (performance.now() - epochStarted) / 1000;
      emit({
        type: 'batch',
        epoch: epoch + 1,
        batch: batch + 1,
        batches,
        elapsedSeconds,
        loss: sums.lossSum / sums.samples,
        accuracy: sums.accuracySum / sums.samples,
        samplesPerSecond: epochSamples / elapsedSeconds,
      });
    }
    const epochTrainSeconds = (performance.now() - epochStarted) / 1000;
    trainedSamples += epochSamples;
    trainingSeconds += epochTrainSeconds;
    startBatch = 0;
    partial = null;

    const validation = await evaluateSplit(engine, dataset.test);
    lastMetrics = {
      loss: sums.lossSum / sums.samples,
      accuracy: sums.accuracySum / sums.samples,
      val_loss: validation.loss,
      val_accuracy: validation.accuracy,
    };
    const improved = improves(monitor, lastMetrics[monitor], best);
    if (improved) best = { monitor, value: lastMetrics[monitor], epoch: epoch + 1 };
    options.tensorboard?.write(epoch, lastMetrics);

    const skip = options.target.kind === 'directory' && options.target.saveBestOnly && !improved;
    const saved = skip
      ? null
      : await writeTrainingCheckpoint(options, engine, {
          epoch: epoch + 1,
          batch: 0,
          metrics: lastMetrics,
          partialEpoch: null,
          best,
          reason: 'epoch',
        });
    checkpoint = saved ?? checkpoint;
    stateIsSaved = saved !== null;
    const record: EpochRecord = {
      epoch: epoch + 1,
      ...lastMetrics,
      seconds: (performance.now() - epochStarted) / 1000,
      samplesPerSecond: epochSamples / epochTrainSeconds,
      checkpoint: saved,
    };
    history.push(record);
    emit({ type: 'epoch', record, epochs: run.epochs });

    const patience = options.earlyStoppingPatience;
    if (patience !== null && best && epoch + 1 - best.epoch >= patience && epoch + 1 < run.epochs) {
      emit({ type: 'early-stopping', epoch: epoch + 1, monitor, bestEpoch: best.epoch, bestValue: best.value });
      epoch += 1;
      return finish('early-stopped', true);
    }
  }
  return finish('completed', true);
}
