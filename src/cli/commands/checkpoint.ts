/** `mnist-serve checkpoint list|show|evaluate|restore|prune`: thin wrappers over src/checkpoint. */
import { Option, type Command } from 'commander';
import path from 'node:path';
import {
  DEFAULT_CHECKPOINT_DIR,
  listCheckpoints,
  pruneCheckpoints,
  readSidecar,
  resolveCheckpointArgument,
  verifyTensors,
  type CheckpointInfo,
} from '../../checkpoint/index.ts';
import { DEFAULT_ENGINE, ENGINE_KINDS } from '../../engine/create-engine.ts';
import { UserInputError } from '../../errors.ts';
import type { Monitor } from '../../model/training-metrics.ts';
import type { EngineKind } from '../../model/training-state.ts';
import { evaluateCheckpoint, restoreCheckpoint } from '../../training/checkpoint-actions.ts';
import { addDataOptions, datasetOptionsFrom, type DataFlags } from '../data-options.ts';
import { globalOptions, printResult, table } from '../output.ts';
import { positiveInteger } from '../parse-flags.ts';
import { runAction } from '../run-action.ts';
import { whileWaiting } from '../spinner.ts';

const dirOption = () =>
  new Option('--checkpoint-dir <dir>', 'the checkpoint directory').default(DEFAULT_CHECKPOINT_DIR);
const engineOption = () =>
  new Option('--engine <engine>', 'engine that loads the weights').choices([...ENGINE_KINDS]).default(DEFAULT_ENGINE);

function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

const metric = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(4));

function listRow(info: CheckpointInfo): (string | number)[] {
  const m = info.meta;
  const marks = [
    info.latest ? 'latest' : '',
    info.best ? 'best' : '',
    info.problem ? `INCOMPLETE: ${info.problem}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return [
    info.prefix,
    m ? m.epoch + (m.batch ? `+${m.batch}b` : '') : '-',
    m?.step ?? '-',
    metric(m?.metrics?.loss),
    metric(m?.metrics?.accuracy),
    metric(m?.metrics?.val_loss),
    metric(m?.metrics?.val_accuracy),
    size(info.sizeBytes),
    info.modified?.toISOString().replace(/\.\d+Z$/, 'Z') ?? '-',
    marks,
  ];
}

function registerList(checkpoint: Command): void {
  checkpoint
    .command('list')
    .description('checkpoints in a directory with epoch, step, metrics, size and time; marks the latest and the best')
    .addOption(dirOption())
    .addOption(
      new Option('--monitor <metric>', 'metric that picks the best')
        .choices(['val_accuracy', 'val_loss'])
        .default('val_accuracy'),
    )
    .action(
      runAction((flags: { checkpointDir: string; monitor: Monitor }, cmd: Command) => {
        const infos = listCheckpoints(flags.checkpointDir, flags.monitor);
        const json = {
          dir: flags.checkpointDir,
          monitor: flags.monitor,
          checkpoints: infos.map((info) => ({
            prefix: info.prefix,
            epoch: info.meta?.epoch ?? null,
            batch: info.meta?.batch ?? null,
            step: info.meta?.step ?? null,
            metrics: info.meta?.metrics ?? null,
            reason: info.meta?.reason ?? null,
            engine: info.meta?.engine ?? null,
            sizeBytes: info.sizeBytes,
            modified: info.modified?.toISOString() ?? null,
            latest: info.latest,
            best: info.best,
            problem: info.problem,
          })),
        };
        printResult(globalOptions(cmd), json, () =>
          infos.length === 0
            ? `no checkpoints in ${flags.checkpointDir}`
            : table(
                ['prefix', 'epoch', 'step', 'loss', 'accuracy', 'val_loss', 'val_accuracy', 'size', 'time', ''],
                infos.map(listRow),
              ),
        );
      }),
    );
}

function registerShow(checkpoint: Command): void {
  checkpoint
    .command('show')
    .argument('<prefix>', 'checkpoint prefix (e.g. checkpoints/ckpt-5), or a directory for its latest')
    .description('every tensor with dtype, shape, size and checksum status, and the sidecar')
    .action(
      runAction((argument: string, _flags: unknown, cmd: Command) => {
        const prefix = resolveCheckpointArgument(argument);
        const tensors = verifyTensors(prefix);
        const meta = readSidecar(prefix);
        const ok = tensors.every((t) => t.status === 'ok');
        const options = globalOptions(cmd);
        // With --json a damaged checkpoint prints only the error object: stdout holds exactly one JSON object.
        if (ok || !options.json)
          printResult(options, { prefix, ok, meta, tensors }, () =>
            [
              `${prefix}: epoch ${meta.epoch}${meta.batch ? ` (+${meta.batch} batches)` : ''}, ` +
                `step ${meta.step}, ${meta.engine} engine, ${meta.data.name} data, ${meta.timestamp}`,
              table(
                ['tensor', 'dtype', 'shape', 'bytes', 'crc32c', 'status'],
                tensors.map((t) => [
                  t.name,
                  t.dtype,
                  `[${t.shape.join(', ')}]`,
                  t.size,
                  t.crc32c.toString(16).padStart(8, '0'),
                  t.status,
                ]),
              ),
            ].join('\n'),
          );
        if (!ok) {
          const bad = tensors.filter((t) => t.status !== 'ok').map((t) => `${t.name} (${t.status})`);
          throw new UserInputError(`${prefix}.data-00000-of-00001: ${bad.join(', ')}`);
        }
      }),
    );
}

function registerEvaluate(checkpoint: Command): void {
  const command = checkpoint
    .command('evaluate')
    .argument('<prefix>', 'checkpoint prefix, or a directory for its latest')
    .description("test accuracy and loss of a checkpoint's weights (default: the data it was trained on)");
  addDataOptions(command)
    .option('--test-samples <n>', 'use only the first N test samples', positiveInteger)
    .addOption(engineOption())
    .action(
      runAction(
        async (argument: string, flags: DataFlags & { testSamples?: number; engine: EngineKind }, cmd: Command) => {
          const options = globalOptions(cmd);
          const prefix = resolveCheckpointArgument(argument);
          const result = await whileWaiting(options, `Evaluating ${prefix}…`, () =>
            evaluateCheckpoint(prefix, {
              data: datasetOptionsFrom(flags),
              testSamples: flags.testSamples,
              engine: flags.engine,
            }),
          );
          printResult(options, { ...result, accuracyPercent: Number((result.accuracy * 100).toFixed(2)) }, () =>
            [
              `Eval accuracy percentage: ${(result.accuracy * 100).toFixed(2)}`,
              `Eval loss: ${result.loss.toFixed(4)}`,
              `(${result.prefix}, epoch ${result.epoch}, ${result.data.samples} ${result.data.name} test samples)`,
            ].join('\n'),
          );
        },
      ),
    );
}

function registerRestore(checkpoint: Command): void {
  checkpoint
    .command('restore')
    .argument('<prefix>', 'checkpoint prefix, or a directory for its latest')
    .description('verify a checkpoint and load its weights into the model; --promote makes it the latest')
    .option('--promote', "make it the latest in its directory's `checkpoint` file (what --resume and export read)")
    .addOption(engineOption())
    .action(
      runAction(async (argument: string, flags: { promote?: boolean; engine: EngineKind }, cmd: Command) => {
        const result = await restoreCheckpoint(resolveCheckpointArgument(argument), {
          promote: flags.promote,
          engine: flags.engine,
        });
        printResult(
          globalOptions(cmd),
          result,
          () =>
            `restored ${result.prefix}: ${result.variables} variables, ` +
            `${result.parameters} parameters, epoch ${result.epoch}, step ${result.step}` +
            (result.promoted ? `; now the latest in ${path.dirname(result.prefix)}` : ''),
        );
      }),
    );
}

function registerPrune(checkpoint: Command): void {
  checkpoint
    .command('prune')
    .description('delete all but the newest N checkpoints (the latest is always kept)')
    .addOption(dirOption())
    .requiredOption('--keep <n>', 'how many to keep', positiveInteger)
    .action(
      runAction((flags: { checkpointDir: string; keep: number }, cmd: Command) => {
        const result = pruneCheckpoints(flags.checkpointDir, flags.keep);
        const removedList = result.removed.length ? `: ${result.removed.join(', ')}` : '';
        printResult(
          globalOptions(cmd),
          { dir: flags.checkpointDir, ...result },
          () => `kept ${result.kept.length}, removed ${result.removed.length}${removedList}`,
        );
      }),
    );
}

/** Adds this command's options, subcommands and action to `command` (named and described by main.ts). */
export function register(checkpoint: Command): void {
  for (const add of [registerList, registerShow, registerEvaluate, registerRestore, registerPrune]) add(checkpoint);
}
