/** What training measures, named as Keras names it so a History reads the same. */

/** Mean loss and accuracy over a batch, or over every batch of an evaluation. */
export interface BatchMetrics {
  loss: number;
  accuracy: number;
}

/** One epoch's training and validation metrics. */
export interface EpochMetrics {
  loss: number;
  accuracy: number;
  val_loss: number;
  val_accuracy: number;
}

/** The metric early stopping and save-best watch. */
export type Monitor = 'val_accuracy' | 'val_loss';
