/**
 * Renders the training loop's events on stderr, as Keras users expect: on a TTY a progress bar
 * per epoch (batch count, loss, accuracy, samples/s, ETA); otherwise (or with --no-color) one
 * plain line per epoch, which is what CI logs need.
 */
import cliProgress from 'cli-progress';
import type { TrainingEvent } from '../training/events.ts';
import { log, type GlobalOptions } from './output.ts';

const fixed = (x: number, digits = 4) => x.toFixed(digits);

function epochLine(event: Extract<TrainingEvent, { type: 'epoch' }>): string {
  const r = event.record;
  const saved = r.checkpoint ? ` - saved ${r.checkpoint}` : '';
  return (
    `Epoch ${r.epoch}/${event.epochs} - ${r.seconds.toFixed(1)}s - ${Math.round(r.samplesPerSecond)} samples/s - ` +
    `loss: ${fixed(r.loss)} - accuracy: ${fixed(r.accuracy)} - ` +
    `val_loss: ${fixed(r.val_loss)} - val_accuracy: ${fixed(r.val_accuracy)}${saved}`
  );
}

export interface ProgressRenderer {
  onEvent(event: TrainingEvent): void;
  /** Stops a bar left running (an interrupted epoch). */
  close(): void;
}

export function trainingProgress(options: GlobalOptions): ProgressRenderer {
  // The redrawn bar is all cursor escapes: only on a terminal, and only where the user allows them.
  const redraw = Boolean(process.stderr.isTTY) && options.color;
  let bar: cliProgress.SingleBar | null = null;
  const onEvent = (event: TrainingEvent): void => {
    if (options.quiet) return;
    switch (event.type) {
      case 'start':
        if (event.resumedFrom) log(options, `Resuming from ${event.resumedFrom} at epoch ${event.epoch}`);
        log(options, `Training on ${event.trainSamples} samples, ${event.batchesPerEpoch} batches per epoch`);
        break;
      case 'batch':
        if (!redraw) break;
        if (!bar) {
          bar = new cliProgress.SingleBar(
            {
              stream: process.stderr,
              format:
                `Epoch ${event.epoch} [{bar}] {value}/{total} - ` +
                'loss: {loss} - accuracy: {acc} - {sps} samples/s - ETA {eta}s',
              hideCursor: true,
              clearOnComplete: true,
              etaBuffer: 50,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(event.batches, event.batch - 1, { loss: '-', acc: '-', sps: '-' });
        }
        bar.update(event.batch, {
          loss: fixed(event.loss),
          acc: fixed(event.accuracy),
          sps: Math.round(event.samplesPerSecond),
        });
        break;
      case 'epoch':
        bar?.stop();
        bar = null;
        log(options, epochLine(event));
        break;
      case 'early-stopping':
        log(
          options,
          `Early stopping after epoch ${event.epoch}: ` +
            `${event.monitor} last improved at epoch ${event.bestEpoch} (${fixed(event.bestValue)})`,
        );
        break;
    }
  };
  return {
    onEvent,
    close() {
      bar?.stop();
      bar = null;
    },
  };
}
