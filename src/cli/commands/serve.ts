import type { Command } from 'commander';
import { setIntraOpThreads } from '../../engine/tf.ts';
import { OperationalError } from '../../errors.ts';
import { DEFAULT_BASE_PATH } from '../../savedmodel/versions.ts';
import { GrpcServer, routeGrpcLogs } from '../../serving/grpc/grpc-server.ts';
import { jsonLogger, type Logger } from '../../serving/logger.ts';
import { ModelServer } from '../../serving/model-server.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../../serving/rest-server.ts';
import { batchingFrom, servingConfigFrom, type ServeSettings } from '../../serving/serve-settings.ts';
import { globalOptions, printResult } from '../output.ts';
import { integer } from '../parse-flags.ts';
import { runAction } from '../run-action.ts';

/** How long SIGTERM waits for in-flight requests before closing their connections. */
const DRAIN_TIMEOUT_MS = 30_000;

interface ServeFlags extends ServeSettings {
  restApiPort: number;
  port?: number;
  host: string;
  fileSystemPollWaitSeconds: number;
  maxBodyBytes: number;
  tensorflowIntraOpParallelism: number;
}

/** Adds this command's options, subcommands and action to `command` (named and described by main.ts). */
export function register(serve: Command): void {
  serve
    .option('--rest-api-port <port>', 'REST port (0 picks a free one)', integer(0, 65535), 8501)
    .option('--port <port>', "gRPC port for TF Serving's PredictionService and ModelService (off unless given; 0 picks a free one)", integer(0, 65535))
    .option('--host <host>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--model-name <name>', 'name clients use in /v1/models/NAME', 'mnist')
    .option('--model-base-path <dir>', 'directory of integer version directories', DEFAULT_BASE_PATH)
    .option('--model-config-file <file>', 'a models.config (ModelServerConfig text format); overrides --model-name/--model-base-path; re-read on SIGHUP')
    .option('--enable-batching', 'merge concurrent requests into one engine call', false)
    .option('--batching-parameters-file <file>', 'batching_parameters.txt (BatchingParameters text format); needs --enable-batching')
    .option('--file-system-poll-wait-seconds <n>', 'seconds between scans for new versions (0: scan once at start)', integer(0, 86_400), 1)
    .option('--tensorflow-intra-op-parallelism <n>', "TensorFlow's threads per op (0: one per core); one measured fastest for this model's small batches", integer(0, 1024), 1)
    .option('--max-body-bytes <n>', 'largest REST body (larger: 413) or gRPC message (larger: RESOURCE_EXHAUSTED) accepted', integer(1, 1 << 30), DEFAULT_MAX_BODY_BYTES)
    .action(runAction(async (flags: ServeFlags, command: Command) => {
      const options = globalOptions(command);
      const logger = jsonLogger((line) => process.stderr.write(line), options.quiet ? 'warn' : 'info');
      const config = servingConfigFrom(flags);
      // Listen for SIGTERM from the start: one that arrives while models load stops the server right after.
      const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGTERM', () => resolve('SIGTERM'));
        process.once('SIGINT', () => resolve('SIGINT'));
      });
      // SIGHUP too: its default action would kill a server still loading. One that arrives before
      // the server is up re-reads the config right after, as the file may have changed since.
      let started: ModelServer | undefined;
      let reloadWhenStarted = false;
      const reload = () => {
        if (!started) {
          reloadWhenStarted = true;
          return;
        }
        const server = started;
        logger.info('SIGHUP: reloading the config');
        Promise.resolve()
          .then(() => server.reload(servingConfigFrom(flags)))
          .catch((error: Error) => logger.error('config reload failed; keeping the current config', { error: error.message }));
      };
      process.on('SIGHUP', reload);
      setIntraOpThreads(flags.tensorflowIntraOpParallelism);
      logger.info('TensorFlow intra-op threads', { threads: process.env.TF_NUM_INTRAOP_THREADS ?? 'one per core' });
      const server = await ModelServer.start({
        config,
        batching: batchingFrom(flags),
        pollWaitSeconds: flags.fileSystemPollWaitSeconds,
        host: flags.host,
        restPort: flags.restApiPort,
        maxBodyBytes: flags.maxBodyBytes,
        logger,
      });
      started = server;
      if (reloadWhenStarted) reload();
      const grpc = flags.port === undefined ? undefined : await startGrpc(server, flags, logger);
      const signal = await stopSignal;
      process.off('SIGHUP', reload);
      logger.info(`${signal}: draining in-flight requests`, { timeout_ms: DRAIN_TIMEOUT_MS });
      const [grpcResult, restResult] = await Promise.all([grpc?.close(DRAIN_TIMEOUT_MS), server.stop(DRAIN_TIMEOUT_MS)]);
      const drained = restResult.drained && (grpcResult?.drained ?? true);
      const address = server.restAddress;
      printResult(options, {
        stopped: true,
        signal,
        drained,
        rest: { host: address.address, port: address.port },
        ...(grpc && { grpc: { host: grpc.address.host, port: grpc.address.port } }),
        models: config.models.map((model) => model.name),
      }, () => '');
    }));
}

/** The gRPC API beside REST, on the same registry, batchers and metrics; a port in use stops both. */
async function startGrpc(server: ModelServer, flags: ServeFlags, logger: Logger): Promise<GrpcServer> {
  routeGrpcLogs(logger);
  const grpc = new GrpcServer({ service: server.service, metrics: server.metrics, logger, maxMessageBytes: flags.maxBodyBytes });
  try {
    const address = await grpc.listen(flags.port!, flags.host);
    logger.info('gRPC API listening', { address: `${address.host}:${address.port}`, services: ['tensorflow.serving.PredictionService', 'tensorflow.serving.ModelService'] });
    return grpc;
  } catch (error) {
    await server.stop(0);
    throw new OperationalError(`--port ${flags.port}: ${(error as Error).message}`);
  }
}
