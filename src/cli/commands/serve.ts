import { Option, type Command } from 'commander';
import { describeError } from '../../errors.ts';
import { DEFAULT_BASE_PATH } from '../../storage/versions.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../../serving/servers/rest/rest-server.ts';
import type { ServeSettings } from '../../serving/servers/serve-settings.ts';
import { runModelServer } from '../../serving/servers/server-main.ts';
import { aliasOf } from '../option-alias.ts';
import { globalOptions, printResult } from '../output.ts';
import { integer } from '../parse-flags.ts';
import { exitCodeFor, nameAsFlag, runAction } from '../run-action.ts';

interface ServeFlags extends ServeSettings {
  workers: number;
  restApiPort: number;
  port?: number;
  host: string;
  fileSystemPollWaitSeconds: number;
  maxBodyBytes: number;
  intraOpThreads: number;
  interOpThreads: number;
  modelCacheDir?: string;
}

/** Adds this command's options, subcommands and action to `command` (named and described by main.ts). */
export function register(serve: Command): void {
  const intraOpThreads = new Option(
    '--intra-op-threads <n>',
    "TensorFlow's threads per op (0: one per core); one measured fastest for this model's small batches",
  )
    .argParser(integer(0, 1024))
    .default(1);
  const interOpThreads = new Option(
    '--inter-op-threads <n>',
    "TensorFlow's threads for independent ops (0: TensorFlow's default pool; " +
      '-1: every op in the calling thread, measured fastest here)',
  )
    .argParser(integer(-1, 1024))
    .default(-1);
  serve
    .option('--rest-api-port <port>', 'REST port (0 picks a free one)', integer(0, 65535), 8501)
    .option(
      '--port <port>',
      "gRPC port for TF Serving's PredictionService and ModelService and " +
        'the v2 GRPCInferenceService (off unless given; 0 picks a free one)',
      integer(0, 65535),
    )
    .option('--host <host>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--model-name <name>', 'name clients use in /v1/models/NAME', 'mnist')
    .option(
      '--model-base-path <dir>',
      'directory of integer version directories, or s3://bucket/prefix',
      DEFAULT_BASE_PATH,
    )
    .option(
      '--model-cache-dir <dir>',
      'where versions from an s3:// base path are downloaded before loading (one subdirectory per server run, ' +
        'shared by its workers; default: $XDG_CACHE_HOME/mnist-serve/models, else ~/.cache/mnist-serve/models)',
    )
    .option(
      '--model-config-file <file>',
      'a models.config (ModelServerConfig text format); overrides --model-name/--model-base-path; re-read on SIGHUP',
    )
    .option('--enable-batching', 'merge concurrent requests into one engine call', false)
    .option(
      '--batching-parameters-file <file>',
      'batching_parameters.txt (BatchingParameters text format); needs --enable-batching',
    )
    .option(
      '--file-system-poll-wait-seconds <n>',
      'seconds between scans for new versions (0: scan once at start)',
      integer(0, 86_400),
      1,
    )
    .addOption(intraOpThreads)
    .addOption(aliasOf(intraOpThreads, '--tensorflow-intra-op-parallelism <n>', "TF Serving's name"))
    .addOption(interOpThreads)
    .addOption(aliasOf(interOpThreads, '--tensorflow-inter-op-parallelism <n>', "TF Serving's name"))
    .option(
      '--max-body-bytes <n>',
      'largest REST body (larger: 413) or gRPC message (larger: RESOURCE_EXHAUSTED) accepted',
      integer(1, 1 << 30),
      DEFAULT_MAX_BODY_BYTES,
    )
    .option(
      '--max-request-rows <n>',
      'most rows (images) one request may carry, broadcast values included; more: ' +
        'INVALID_ARGUMENT/400 (default: max_batch_size with --enable-batching, else 1024)',
      integer(1, 1 << 24),
    )
    .option(
      '--max-in-flight-rows <n>',
      'most rows all requests may hold at once, from decoding to answer; ' +
        'more: RESOURCE_EXHAUSTED/503 at once (default: 8 x --max-request-rows)',
      integer(1, 1 << 30),
    )
    .option(
      '--workers <n>',
      'server processes sharing the ports, each with its own copy of the models and batchers (0: one per CPU core)',
      integer(0, 256),
      1,
    )
    .action(
      runAction(async (flags: ServeFlags, command: Command) => {
        const options = globalOptions(command);
        const outcome = await runModelServer({
          ...flags,
          restPort: flags.restApiPort,
          grpcPort: flags.port,
          pollWaitSeconds: flags.fileSystemPollWaitSeconds,
          writeLog: (line) => process.stderr.write(line),
          describeError: (error) => describeError(error, nameAsFlag),
          logLevel: options.quiet ? 'warn' : 'info',
        });
        // A worker prints nothing: its primary reports the whole server, start-up failures included.
        if (outcome.role === 'worker') {
          if (outcome.startFailure !== undefined) process.exitCode = exitCodeFor(outcome.startFailure);
          return;
        }
        // `serve`'s one result, printed when it stops (with --json; nothing otherwise).
        printResult(options, { stopped: true, ...outcome.stopped }, () => '');
      }),
    );
}
