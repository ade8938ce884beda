/**
 * Wraps a command's action: maps the core's typed errors to one line on stderr and the
 * documented exit code (2 bad input, 1 failure); a stack only with --verbose or DEBUG.
 */
import type { Command } from 'commander';
import { describeError, EXIT_FAILURE, EXIT_USAGE, OperationalError, UserInputError, type FieldRef } from '../errors.ts';
import { isErrnoError } from '../util/atomic-write.ts';
import { globalOptions } from './output.ts';

/**
 * The flag for each field the core names in its messages (src/errors.ts), so users read the
 * option they type. One table for every command: a field means the same thing everywhere.
 */
export const FLAG_FOR_FIELD: Readonly<Record<string, string>> = {
  baseline: '--baseline',
  batchingParametersFile: '--batching-parameters-file',
  batchSize: '--batch-size',
  checkpointDir: '--checkpoint-dir',
  checkpointPath: '--checkpoint-path',
  data: '--data',
  dataDir: '--data-dir',
  dataset: '--dataset',
  device: '--device',
  enableBatching: '--enable-batching',
  epochs: '--epochs',
  force: '--force',
  grpcPort: '--port',
  index: '--index',
  keep: '--keep',
  learningRate: '--learning-rate',
  maxInFlightRows: '--max-in-flight-rows',
  maxRequestRows: '--max-request-rows',
  minAccuracy: '--min-accuracy',
  mirror: '--mirror',
  modelConfigFile: '--model-config-file',
  restPort: '--rest-api-port',
  resume: '--resume',
  seed: '--seed',
  testSamples: '--test-samples',
  trainSamples: '--train-samples',
  verify: '--verify',
  version: '--version',
  warmupRequests: '--warmup-requests',
};

/** A field as the command line spells it: `--keep 0`, `--force`, `--no-verify`. */
export function nameAsFlag({ field, value }: FieldRef): string {
  const flag = FLAG_FOR_FIELD[field] ?? field;
  if (value === true) return flag;
  if (value === false) return flag.replace(/^--/, '--no-');
  return value === undefined ? flag : `${flag} ${value}`;
}

export function exitCodeFor(error: unknown): number {
  return error instanceof UserInputError ? EXIT_USAGE : EXIT_FAILURE;
}

export function reportError(command: Command, error: unknown): void {
  const options = globalOptions(command);
  // An errno error (EACCES on a user-given path, ENOSPC, ...) is the environment's refusal, not a bug;
  // its message already names the path.
  const known = error instanceof UserInputError || error instanceof OperationalError || isErrnoError(error);
  const message = describeError(error, nameAsFlag);
  const line = known ? `mnist-serve: error: ${message}` : `mnist-serve: internal error: ${message}`;
  process.stderr.write(`${line}\n`);
  if (!known && !options.verbose && !process.env.DEBUG) {
    process.stderr.write('(this is a bug; run again with --verbose for the stack trace)\n');
  }
  if ((options.verbose || process.env.DEBUG) && error instanceof Error && error.stack) {
    process.stderr.write(`${error.stack}\n`);
  }
  if (options.json) {
    const kind = error instanceof UserInputError ? 'usage' : known ? 'failure' : 'internal';
    const details = error instanceof OperationalError ? error.details : undefined;
    process.stdout.write(`${JSON.stringify({ error: { kind, message, ...details } }, null, 2)}\n`);
  }
}

// biome-ignore lint/suspicious/noExplicitAny: commander hands an action the parsed values untyped
type CommanderArgs = any[];
type Action = (this: Command, ...args: CommanderArgs) => Promise<void> | void;

/** Commander action wrapper; the last argument commander passes is the Command itself. */
export function runAction(action: (...args: CommanderArgs) => Promise<void> | void): Action {
  return async function wrapped(this: Command, ...args: CommanderArgs) {
    const command = args[args.length - 1] as Command;
    try {
      await action(...args);
    } catch (error) {
      reportError(command, error);
      process.exitCode = exitCodeFor(error);
    }
  };
}
