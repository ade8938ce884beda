/**
 * TensorBoard event files through tfjs-node's summary writer, laid out as Keras's TensorBoard
 * callback does: `DIR/train` and `DIR/validation`, scalars `epoch_loss` and `epoch_accuracy`
 * at step = epoch index (0-based).
 */
import path from 'node:path';
import type { EpochMetrics } from '../model/training-metrics.ts';
import { loadTf } from '../runtime/tf.ts';

export interface EpochSummaryWriter {
  write(epochIndex: number, metrics: EpochMetrics): void;
  close(): void;
}

export async function openTensorBoard(dir: string): Promise<EpochSummaryWriter> {
  const tf = await loadTf();
  const train = tf.node.summaryFileWriter(path.join(dir, 'train'));
  const validation = tf.node.summaryFileWriter(path.join(dir, 'validation'));
  return {
    write(epochIndex, metrics) {
      train.scalar('epoch_loss', metrics.loss, epochIndex);
      train.scalar('epoch_accuracy', metrics.accuracy, epochIndex);
      validation.scalar('epoch_loss', metrics.val_loss, epochIndex);
      validation.scalar('epoch_accuracy', metrics.val_accuracy, epochIndex);
      train.flush();
      validation.flush();
    },
    close() {
      train.flush();
      validation.flush();
    },
  };
}
