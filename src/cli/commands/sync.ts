/**
 * `sync`: a sidecar (or, with --once, an init container) that mirrors complete versions from an
 * object store into a local base path for any TF Serving. Never loads TensorFlow.
 */
import { Option, type Command } from 'commander';
import { describeError } from '../../errors.ts';
import { jsonLogger } from '../../serving/monitoring/logger.ts';
import type { VersionPolicy } from '../../serving/lifecycle/model-server-config.ts';
import { followStore, syncVersions, type SyncResult } from '../../serving/lifecycle/store-sync.ts';
import { openModelStore } from '../../storage/open-model-store.ts';
import { globalOptions, log, printResult } from '../output.ts';
import { integer } from '../parse-flags.ts';
import { nameAsFlag, runAction } from '../run-action.ts';
import { watchForInterrupts } from '../interrupt.ts';
import { parsePolicy } from './serving-config.ts';

interface SyncFlags {
  from: string;
  to: string;
  policy: VersionPolicy;
  pollWaitSeconds: number;
  once: boolean;
}

/** Adds this command's options, subcommands and action to `command` (named and described by main.ts). */
export function register(sync: Command): void {
  sync
    .requiredOption('--from <uri>', 'the base path to copy from: s3://bucket/prefix (or a local directory)')
    .requiredOption('--to <dir>', 'the local base path TF Serving reads (created if missing)')
    .addOption(
      new Option('--policy <policy>', 'versions to keep: latest[:N] | specific:V1,V2 | all')
        .argParser(parsePolicy)
        .default({ kind: 'latest', numVersions: 1 }, 'latest:1'),
    )
    .option('--poll-wait-seconds <n>', 'seconds between passes', integer(1, 86_400), 10)
    .option('--once', 'one pass, then exit (0: done, 1: the store failed): for an init container', false)
    .action(
      runAction(async (flags: SyncFlags, command: Command) => {
        const options = globalOptions(command);
        const store = openModelStore(flags.from);
        if (flags.once) {
          const result = await syncVersions(store, flags.to, flags.policy, (line) => log(options, line));
          printResult(options, result, () => render(result));
          return;
        }
        const interrupts = watchForInterrupts();
        try {
          const logger = jsonLogger((line) => process.stderr.write(line), options.quiet ? 'warn' : 'info');
          await followStore(store, flags.to, {
            ...flags,
            signal: interrupts.signal,
            logger,
            describeError: (error) => describeError(error, nameAsFlag),
          });
        } finally {
          interrupts.dispose();
        }
      }),
    );
}

function render(result: SyncResult): string {
  const list = (versions: number[]) => (versions.length ? versions.join(', ') : 'none');
  return (
    `${result.to}: versions ${list(result.versions)} (copied ${list(result.added)}, ` +
    `removed ${list(result.removed)}) from ${result.from}`
  );
}
