/** `mnist-serve train`: flags → training options, progress on stderr, the evaluation on stdout. */
import { Option, type Command } from 'commander';
import path from 'node:path';
import { DEFAULT_CHECKPOINT_DIR } from '../../checkpoint/index.ts';
import type { Monitor } from '../../model/training-metrics.ts';
import { DEFAULT_ENGINE, ENGINE_KINDS } from '../../engine/create-engine.ts';
import { setIntraOpThreads } from '../../runtime/tf.ts';
import type { EngineKind } from '../../model/training-state.ts';
import { EXIT_INTERRUPTED } from '../../errors.ts';
import type { Head } from '../../model/spec.ts';
import type { CheckpointTarget } from '../../training/checkpointing.ts';
import { train, type TrainOutcome } from '../../training/run-training.ts';
import { addDataOptions, datasetOptionsFrom, type DataFlags } from '../data-options.ts';
import { watchForInterrupts } from '../interrupt.ts';
import { globalOptions, log, printResult, type GlobalOptions } from '../output.ts';
import { nonNegativeInteger, positiveInteger, positiveNumber } from '../parse-flags.ts';
import { trainingProgress } from '../progress.ts';
import { runAction } from '../run-action.ts';

interface TrainFlags extends DataFlags {
  epochs: number;
  batchSize: number;
  learningRate: number;
  head: Head;
  engine: EngineKind;
  checkpointDir: string;
  checkpointPath?: string;
  keep: number;
  saveBestOnly?: boolean;
  monitor: Monitor;
  resume?: boolean;
  earlyStoppingPatience?: number;
  tensorboard?: string;
  trainSamples?: number;
  testSamples?: number;
  intraOpThreads: number;
}

function checkpointTarget(flags: TrainFlags): CheckpointTarget {
  if (flags.checkpointPath) return { kind: 'weights', prefix: flags.checkpointPath };
  return { kind: 'directory', dir: flags.checkpointDir, keep: flags.keep, saveBestOnly: Boolean(flags.saveBestOnly) };
}

/** The --json object; its keys are documented in docs/training.md. */
function jsonResult(outcome: TrainOutcome) {
  return {
    status: outcome.status,
    epochs: outcome.history,
    evaluation: outcome.evaluation && {
      ...outcome.evaluation,
      accuracyPercent: Number((outcome.evaluation.accuracy * 100).toFixed(2)),
    },
    checkpoint: outcome.checkpoint,
    resumedFrom: outcome.resumedFrom,
    epoch: outcome.epoch,
    step: outcome.step,
    durationSeconds: outcome.durationSeconds,
    samplesPerSecond: outcome.samplesPerSecond,
    engine: outcome.engine,
    data: outcome.data,
    run: outcome.run,
    model: { head: outcome.spec.head, learningRate: outcome.spec.optimizer.learningRate },
  };
}

function humanResult(outcome: TrainOutcome): string {
  const lines: string[] = [];
  if (outcome.evaluation) {
    lines.push(`Eval accuracy percentage: ${(outcome.evaluation.accuracy * 100).toFixed(2)}`);
    lines.push(`Eval loss: ${outcome.evaluation.loss.toFixed(4)}`);
  }
  if (outcome.checkpoint) lines.push(`Checkpoint: ${outcome.checkpoint}`);
  lines.push(
    `Trained ${outcome.history.length} epoch(s) in ${outcome.durationSeconds.toFixed(1)} s ` +
      `(${Math.round(outcome.samplesPerSecond)} samples/s, ${outcome.engine} engine)`,
  );
  return lines.join('\n');
}

function reportInterruption(options: GlobalOptions, outcome: TrainOutcome, flags: TrainFlags, signal: string): void {
  if (outcome.checkpoint && !flags.checkpointPath) {
    const dir = flags.checkpointDir === DEFAULT_CHECKPOINT_DIR ? '' : ` --checkpoint-dir ${flags.checkpointDir}`;
    log(options, `Interrupted by ${signal}; checkpoint written to ${outcome.checkpoint}`);
    log(options, `resume with: mnist-serve train --resume${dir} --epochs ${outcome.run.epochs}`);
  } else if (outcome.checkpoint) {
    log(
      options,
      `Interrupted by ${signal}; weights written to ${outcome.checkpoint} ` +
        '(weights only: training cannot resume from it)',
    );
  } else {
    log(options, `Interrupted by ${signal} before the first training step; nothing was saved`);
  }
}

/** Adds this command's options, subcommands and action to `command` (named and described by main.ts). */
export function register(command: Command): void {
  addDataOptions(command)
    .option('--epochs <n>', 'epochs to train (with --resume: the total to reach)', positiveInteger, 5)
    .option('--batch-size <n>', 'samples per step', positiveInteger, 32)
    .option('--learning-rate <x>', 'Adam learning rate', positiveNumber, 0.001)
    .addOption(
      new Option('--head <head>', 'activation of the last layer').choices(['sigmoid', 'softmax']).default('sigmoid'),
    )
    .addOption(
      new Option('--engine <engine>', 'training engine: graph (one TensorFlow call per step) or eager (tfjs ops)')
        .choices([...ENGINE_KINDS])
        .default(DEFAULT_ENGINE),
    )
    .option(
      '--intra-op-threads <n>',
      "TensorFlow threads per op (0 = one per core); 1 measured fastest for this model's small ops",
      nonNegativeInteger,
      1,
    )
    .option('--checkpoint-dir <dir>', 'where checkpoints ckpt-N are written', DEFAULT_CHECKPOINT_DIR)
    // The notebook's single prefix has no directory, no older checkpoints and a save every epoch:
    // refuse the flags it would otherwise silently ignore.
    .addOption(
      new Option(
        '--checkpoint-path <prefix>',
        "the notebook's mode: one weights-only checkpoint at PREFIX, " +
          'rewritten each epoch (instead of --checkpoint-dir)',
      ).conflicts(['checkpointDir', 'keep', 'saveBestOnly']),
    )
    .option('--keep <n>', 'keep the newest N checkpoints', positiveInteger, 5)
    .option('--save-best-only', 'write a checkpoint only when the monitored metric improves')
    .addOption(
      new Option('--monitor <metric>', 'metric for --save-best-only and early stopping')
        .choices(['val_accuracy', 'val_loss'])
        .default('val_accuracy'),
    )
    .option(
      '--resume',
      'continue from the latest checkpoint in --checkpoint-dir (weights, optimizer state, epoch, step)',
    )
    .option('--early-stopping-patience <n>', 'stop after N epochs without improvement of --monitor', positiveInteger)
    .option('--tensorboard <dir>', 'write TensorBoard event files to DIR/train and DIR/validation')
    .option('--train-samples <n>', 'use only the first N training samples (quick runs)', positiveInteger)
    .option('--test-samples <n>', 'use only the first N test samples', positiveInteger)
    .action(
      runAction(async (flags: TrainFlags, cmd: Command) => {
        const options = globalOptions(cmd);
        setIntraOpThreads(flags.intraOpThreads);
        const progress = trainingProgress(options);
        const interrupts = watchForInterrupts();
        let outcome: TrainOutcome;
        try {
          outcome = await train({
            data: datasetOptionsFrom(flags),
            trainSamples: flags.trainSamples,
            testSamples: flags.testSamples,
            epochs: flags.epochs,
            batchSize: flags.batchSize,
            learningRate: flags.learningRate,
            head: flags.head,
            engine: flags.engine,
            checkpoint: checkpointTarget(flags),
            resume: Boolean(flags.resume),
            monitor: flags.monitor,
            earlyStoppingPatience: flags.earlyStoppingPatience ?? null,
            tensorboard: flags.tensorboard ? path.resolve(flags.tensorboard) : null,
            signal: interrupts.signal,
            onEvent: (event) => {
              if (event.type === 'start' && flags.resume && !event.resumedFrom) {
                log(options, `--resume: no checkpoint in ${flags.checkpointDir} yet; training from scratch`);
              }
              progress.onEvent(event);
            },
          });
        } finally {
          progress.close();
          interrupts.dispose();
        }
        printResult(options, jsonResult(outcome), () => humanResult(outcome));
        if (outcome.status === 'interrupted') {
          reportInterruption(options, outcome, flags, interrupts.received() ?? 'a signal');
          process.exitCode = EXIT_INTERRUPTED;
        }
      }),
    );
}
