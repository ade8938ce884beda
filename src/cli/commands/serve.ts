import { Option, type Command } from 'commander';
import os from 'node:os';
import type { Registry } from 'prom-client';
import { setInterOpThreads, setIntraOpThreads } from '../../runtime/tf.ts';
import { OperationalError } from '../../errors.ts';
import { DEFAULT_BASE_PATH } from '../../storage/versions.ts';
import { GrpcServer, routeGrpcLogs } from '../../serving/grpc/grpc-server.ts';
import { INFERENCE_SERVICE_NAME } from '../../serving/v2/grpc-service.ts';
import { jsonLogger, type LogFields, type Logger } from '../../serving/logger.ts';
import { ModelServer } from '../../serving/model-server.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../../serving/rest-server.ts';
import type { ServingConfig } from '../../serving/model-config.ts';
import { batchingFrom, requestLimitsFrom, servingConfigFrom, type ServeSettings } from '../../serving/serve-settings.ts';
import type { ListenAddress } from '../../serving/workers/messages.ts';
import { defaultModelCacheRoot, serverCacheDir } from '../../serving/version-source.ts';
import { WorkerPool } from '../../serving/workers/worker-pool.ts';
import { clusterMetrics, isServeWorker, leaveCluster, reportFailure, reportReady, reportStopped, workerId } from '../../serving/workers/worker-side.ts';
import { aliasOf } from '../option-alias.ts';
import { globalOptions, printResult, type GlobalOptions } from '../output.ts';
import { integer } from '../parse-flags.ts';
import { exitCodeFor, runAction } from '../run-action.ts';

/** How long SIGTERM waits for in-flight requests before closing their connections. */
const DRAIN_TIMEOUT_MS = 30_000;

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
  const intraOpThreads = new Option('--intra-op-threads <n>', "TensorFlow's threads per op (0: one per core); one measured fastest for this model's small batches")
    .argParser(integer(0, 1024))
    .default(1);
  const interOpThreads = new Option('--inter-op-threads <n>', "TensorFlow's threads for independent ops (0: TensorFlow's default pool; -1: every op in the calling thread, measured fastest here)")
    .argParser(integer(-1, 1024))
    .default(-1);
  serve
    .option('--rest-api-port <port>', 'REST port (0 picks a free one)', integer(0, 65535), 8501)
    .option('--port <port>', "gRPC port for TF Serving's PredictionService and ModelService and the v2 GRPCInferenceService (off unless given; 0 picks a free one)", integer(0, 65535))
    .option('--host <host>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--model-name <name>', 'name clients use in /v1/models/NAME', 'mnist')
    .option('--model-base-path <dir>', 'directory of integer version directories, or s3://bucket/prefix', DEFAULT_BASE_PATH)
    .option('--model-cache-dir <dir>', 'where versions from an s3:// base path are downloaded before loading (one subdirectory per server run, shared by its workers)', defaultModelCacheRoot())
    .option('--model-config-file <file>', 'a models.config (ModelServerConfig text format); overrides --model-name/--model-base-path; re-read on SIGHUP')
    .option('--enable-batching', 'merge concurrent requests into one engine call', false)
    .option('--batching-parameters-file <file>', 'batching_parameters.txt (BatchingParameters text format); needs --enable-batching')
    .option('--file-system-poll-wait-seconds <n>', 'seconds between scans for new versions (0: scan once at start)', integer(0, 86_400), 1)
    .addOption(intraOpThreads)
    .addOption(aliasOf(intraOpThreads, '--tensorflow-intra-op-parallelism <n>', "TF Serving's name"))
    .addOption(interOpThreads)
    .addOption(aliasOf(interOpThreads, '--tensorflow-inter-op-parallelism <n>', "TF Serving's name"))
    .option('--max-body-bytes <n>', 'largest REST body (larger: 413) or gRPC message (larger: RESOURCE_EXHAUSTED) accepted', integer(1, 1 << 30), DEFAULT_MAX_BODY_BYTES)
    .option('--max-request-rows <n>', 'most rows (images) one request may carry, broadcast values included; more: INVALID_ARGUMENT/400 (default: max_batch_size with --enable-batching, else 1024)', integer(1, 1 << 24))
    .option('--max-in-flight-rows <n>', 'most rows all requests may hold at once, from decoding to answer; more: RESOURCE_EXHAUSTED/503 at once (default: 8 x --max-request-rows)', integer(1, 1 << 30))
    .option('--workers <n>', 'server processes sharing the ports, each with its own copy of the models and batchers (0: one per CPU core)', integer(0, 256), 1)
    .action(runAction(async (flags: ServeFlags, command: Command) => {
      const options = globalOptions(command);
      const workers = flags.workers === 0 ? os.availableParallelism() : flags.workers;
      if (isServeWorker()) await serveAsWorker(flags, options);
      else if (workers > 1) await serveWithWorkers(flags, options, workers);
      else await serveAlone(flags, options);
    }));
}

/**
 * Signals as tensorflow_model_server takes them: SIGTERM (and SIGINT) stop, SIGHUP re-reads the
 * config. Both are watched from the start: a SIGTERM while models load stops the server right
 * after, and a SIGHUP then (whose default action would kill the process) reloads once it is up,
 * as the file may have changed since.
 */
function watchSignals(stopOn: NodeJS.Signals[]) {
  // A second stop signal finds no listener and takes its default action: the process ends at once.
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    for (const signal of stopOn) process.once(signal, () => resolve(signal));
  });
  let reloadNow: (() => void) | undefined;
  let reloadWhenStarted = false;
  const onHangup = () => {
    if (reloadNow) reloadNow();
    else reloadWhenStarted = true;
  };
  process.on('SIGHUP', onHangup);
  return {
    stopSignal,
    /** From now on SIGHUP calls `reload` (at once, if one came before). */
    started(reload: () => void): void {
      reloadNow = reload;
      if (reloadWhenStarted) reload();
    },
    stopWatchingHangups: () => process.off('SIGHUP', onHangup),
  };
}

interface RunningServer {
  server: ModelServer;
  grpc: GrpcServer | undefined;
}

async function startServer(flags: ServeFlags, config: ServingConfig, logger: Logger, clusterMetrics?: (registry: Registry) => () => Promise<string>): Promise<RunningServer> {
  setIntraOpThreads(flags.intraOpThreads);
  setInterOpThreads(flags.interOpThreads);
  const interOp = process.env.TF_NUM_INTEROP_THREADS;
  logger.info('TensorFlow threads', {
    intra_op: process.env.TF_NUM_INTRAOP_THREADS ?? 'one per core',
    inter_op: interOp === undefined ? 'default pool' : Number(interOp) < 0 ? 'calling thread' : interOp,
  });
  const batching = batchingFrom(flags);
  const server = await ModelServer.start({
    config,
    batching,
    limits: requestLimitsFrom(flags, batching),
    pollWaitSeconds: flags.fileSystemPollWaitSeconds,
    // Workers share their primary's cache, so each version is downloaded once per machine.
    modelCacheDir: serverCacheDir(flags.modelCacheDir ?? defaultModelCacheRoot(), isServeWorker() ? process.ppid : process.pid),
    host: flags.host,
    restPort: flags.restApiPort,
    maxBodyBytes: flags.maxBodyBytes,
    logger,
    clusterMetrics,
  });
  const grpc = flags.port === undefined ? undefined : await startGrpc(server, flags, logger);
  return { server, grpc };
}

function reloader(server: ModelServer, flags: ServeFlags, logger: Logger): () => void {
  return () => {
    logger.info('SIGHUP: reloading the config');
    Promise.resolve()
      .then(() => server.reload(servingConfigFrom(flags)))
      .catch((error: Error) => logger.error('config reload failed; keeping the current config', { error: error.message }));
  };
}

async function drain({ server, grpc }: RunningServer, signal: string, logger: Logger): Promise<boolean> {
  logger.info(`${signal}: draining in-flight requests`, { timeout_ms: DRAIN_TIMEOUT_MS });
  const [grpcResult, restResult] = await Promise.all([grpc?.close(DRAIN_TIMEOUT_MS), server.stop(DRAIN_TIMEOUT_MS)]);
  return restResult.drained && (grpcResult?.drained ?? true);
}

function serverLogger(options: GlobalOptions, context?: LogFields): Logger {
  return jsonLogger((line) => process.stderr.write(line), options.quiet ? 'warn' : 'info', context);
}

/** The whole server in this process (--workers 1, the default). */
async function serveAlone(flags: ServeFlags, options: GlobalOptions): Promise<void> {
  const logger = serverLogger(options);
  const config = servingConfigFrom(flags);
  const signals = watchSignals(['SIGTERM', 'SIGINT']);
  const running = await startServer(flags, config, logger);
  signals.started(reloader(running.server, flags, logger));
  const signal = await signals.stopSignal;
  signals.stopWatchingHangups();
  const drained = await drain(running, signal, logger);
  const address = running.server.restAddress;
  printStopped(options, {
    signal,
    drained,
    rest: { host: address.address, port: address.port },
    ...(running.grpc && { grpc: running.grpc.address }),
    models: config.models.map((model) => model.name),
  });
}

/** `serve`'s one result, printed when it stops (with --json; nothing otherwise). */
function printStopped(options: GlobalOptions, result: { signal: string; drained: boolean; workers?: number; rest: ListenAddress; grpc?: ListenAddress; models: string[] }): void {
  printResult(options, { stopped: true, ...result }, () => '');
}

/**
 * The primary of --workers N: checks the flags and files once (so a mistake is one line, not N),
 * then runs N workers (serving/workers/worker-pool.ts) until a stop signal or a worker's death.
 */
async function serveWithWorkers(flags: ServeFlags, options: GlobalOptions, workers: number): Promise<void> {
  const logger = serverLogger(options);
  const config = servingConfigFrom(flags);
  // Only to check the flags and --batching-parameters-file here, once, before any worker starts.
  requestLimitsFrom(flags, batchingFrom(flags));
  const signals = watchSignals(['SIGTERM', 'SIGINT']);
  logger.info('starting workers', { workers });
  const pool = await WorkerPool.start(workers, logger);
  signals.started(() => {
    logger.info('SIGHUP: workers re-read the config');
    pool.reload();
  });
  const outcome = await Promise.race([signals.stopSignal, pool.crashed]).catch((error: Error) => error);
  signals.stopWatchingHangups();
  if (outcome instanceof Error) {
    await pool.stop();
    throw outcome;
  }
  logger.info(`${outcome}: draining every worker`, { timeout_ms: DRAIN_TIMEOUT_MS });
  const { drained } = await pool.stop();
  printStopped(options, {
    signal: outcome,
    drained,
    workers,
    rest: pool.rest,
    ...(pool.grpc && { grpc: pool.grpc }),
    models: config.models.map((model) => model.name),
  });
}

/**
 * One worker of --workers N: a whole server on the shared ports. It stops on its first SIGTERM;
 * a repeated one (a SIGTERM to the process group arrives directly and through the primary) and
 * SIGINT, which the primary turns into one SIGTERM per worker, meet the listeners that
 * bin/mnist-serve installs in workers and do nothing. Start-up failures go to the primary, which
 * reports the first one. (If the primary dies, node:cluster ends its workers at once.)
 */
async function serveAsWorker(flags: ServeFlags, options: GlobalOptions): Promise<void> {
  const logger = serverLogger(options, { worker: workerId() });
  const signals = watchSignals(['SIGTERM']);
  let running: RunningServer;
  try {
    running = await startServer(flags, servingConfigFrom(flags), logger, clusterMetrics);
  } catch (error) {
    await reportFailure(error);
    leaveCluster();
    process.exitCode = exitCodeFor(error);
    return;
  }
  signals.started(reloader(running.server, flags, logger));
  await reportReady(
    { host: running.server.restAddress.address, port: running.server.restAddress.port },
    running.grpc && { host: running.grpc.address.host, port: running.grpc.address.port },
  );
  const signal = await signals.stopSignal;
  signals.stopWatchingHangups();
  await reportStopped(await drain(running, signal, logger));
  leaveCluster();
}

/** The gRPC API beside REST, on the same registry, batchers and metrics; a port in use stops both. */
async function startGrpc(server: ModelServer, flags: ServeFlags, logger: Logger): Promise<GrpcServer> {
  routeGrpcLogs(logger);
  const grpc = new GrpcServer({ service: server.service, metrics: server.metrics, logger, maxMessageBytes: flags.maxBodyBytes });
  try {
    const address = await grpc.listen(flags.port!, flags.host);
    logger.info('gRPC API listening', { address: `${address.host}:${address.port}`, services: ['tensorflow.serving.PredictionService', 'tensorflow.serving.ModelService', INFERENCE_SERVICE_NAME] });
    return grpc;
  } catch (error) {
    await server.stop(0);
    throw new OperationalError(`--port ${flags.port}: ${(error as Error).message}`);
  }
}
