/**
 * tensorflow_model_server's main: runs the server until a stop signal, in one of three process
 * roles. Alone (one process, the default); as the primary of N workers, which checks the settings
 * and files once (so a mistake is one error, not N), then runs them (workers/worker-pool.ts) until
 * a stop signal or a worker's death; or as one of those workers, a whole server on the shared
 * ports. Every role drains in-flight requests on SIGTERM/SIGINT and re-reads the config on SIGHUP
 * (server-signals.ts). Never prints or exits: logs go to `writeLog`, and the caller reports the outcome.
 */
import os from 'node:os';
import type { Registry } from 'prom-client';
import { setInterOpThreads, setIntraOpThreads } from '../../runtime/tf.ts';
import { field, fieldMessage, OperationalError } from '../../errors.ts';
import type { ServingConfig } from '../lifecycle/model-server-config.ts';
import { defaultModelCacheRoot, serverCacheDir } from '../lifecycle/version-source.ts';
import { GrpcServer, routeGrpcLogs } from './grpc/grpc-server.ts';
import { jsonLogger, type LogLevel, type Logger } from '../monitoring/logger.ts';
import { ModelServer } from './model-server.ts';
import { batchingFrom, requestLimitsFrom, servingConfigFrom, type ServeSettings } from './serve-settings.ts';
import { watchServerSignals } from './server-signals.ts';
import { INFERENCE_SERVICE_NAME } from './v2/grpc-service.ts';
import type { ListenAddress } from './workers/messages.ts';
import { WorkerPool } from './workers/worker-pool.ts';
import {
  clusterMetrics,
  isServeWorker,
  leaveCluster,
  reportFailure,
  reportReady,
  reportStopped,
  workerId,
} from './workers/worker-side.ts';

/** How long a stop signal waits for in-flight requests before closing their connections. */
const DRAIN_TIMEOUT_MS = 30_000;

export interface ServerOptions extends ServeSettings {
  /** Server processes sharing the ports: 1 serves in this process, 0 one per CPU core. */
  workers: number;
  host: string;
  /** 0 picks a free port. */
  restPort: number;
  /** The gRPC APIs' port (0 picks a free one); none when undefined. */
  grpcPort?: number;
  /** Seconds between scans for new versions; 0 scans once at start. */
  pollWaitSeconds: number;
  /** Largest REST body or gRPC message accepted. */
  maxBodyBytes: number;
  /** TensorFlow's threads per op (0: one per core). */
  intraOpThreads: number;
  /** TensorFlow's threads for independent ops (0: its default pool; -1: the calling thread). */
  interOpThreads: number;
  /** Root of the per-run caches of versions downloaded from a store. */
  modelCacheDir?: string;
  /** Receives each JSON log line. */
  writeLog: (line: string) => void;
  /** How a logged error reads (the CLI names fields as its flags). */
  describeError: (error: unknown) => string;
  logLevel: LogLevel;
}

/** What a stopped server (alone, or a primary with `workers`) served and whether it drained. */
export interface ServerStopped {
  signal: NodeJS.Signals;
  drained: boolean;
  workers?: number;
  rest: ListenAddress;
  grpc?: ListenAddress;
  models: string[];
}

/**
 * How this process's part ended. A worker's start-up failure has already gone to the primary,
 * which reports it for the whole server; the worker's process only needs its exit code.
 */
export type ServerOutcome = { role: 'server'; stopped: ServerStopped } | { role: 'worker'; startFailure?: unknown };

/**
 * Runs the server in this process's role until it stops; throws what stops a single server or a
 * primary from starting.
 */
export async function runModelServer(options: ServerOptions): Promise<ServerOutcome> {
  if (isServeWorker()) return { role: 'worker', startFailure: await serveAsWorker(options) };
  const workers = options.workers === 0 ? os.availableParallelism() : options.workers;
  const stopped = workers > 1 ? await serveWithWorkers(options, workers) : await serveAlone(options);
  return { role: 'server', stopped };
}

interface RunningServer {
  server: ModelServer;
  grpc: GrpcServer | undefined;
}

async function startServer(
  options: ServerOptions,
  config: ServingConfig,
  logger: Logger,
  aggregateMetrics?: (registry: Registry) => () => Promise<string>,
): Promise<RunningServer> {
  setIntraOpThreads(options.intraOpThreads);
  setInterOpThreads(options.interOpThreads);
  const interOp = process.env.TF_NUM_INTEROP_THREADS;
  logger.info('TensorFlow threads', {
    intra_op: process.env.TF_NUM_INTRAOP_THREADS ?? 'one per core',
    inter_op: interOp === undefined ? 'default pool' : Number(interOp) < 0 ? 'calling thread' : interOp,
  });
  const batching = batchingFrom(options);
  const server = await ModelServer.start({
    config,
    batching,
    limits: requestLimitsFrom(options, batching),
    pollWaitSeconds: options.pollWaitSeconds,
    // Workers share their primary's cache, so each version is downloaded once per machine.
    modelCacheDir: serverCacheDir(
      options.modelCacheDir ?? defaultModelCacheRoot(),
      isServeWorker() ? process.ppid : process.pid,
    ),
    host: options.host,
    restPort: options.restPort,
    maxBodyBytes: options.maxBodyBytes,
    logger,
    clusterMetrics: aggregateMetrics,
  });
  const grpc = options.grpcPort === undefined ? undefined : await startGrpc(server, options.grpcPort, options, logger);
  return { server, grpc };
}

/** The gRPC APIs beside REST, on the same registry, batchers and metrics; a port in use stops both. */
async function startGrpc(
  server: ModelServer,
  port: number,
  options: ServerOptions,
  logger: Logger,
): Promise<GrpcServer> {
  routeGrpcLogs(logger);
  const grpc = new GrpcServer({
    service: server.service,
    metrics: server.metrics,
    logger,
    maxMessageBytes: options.maxBodyBytes,
  });
  try {
    const address = await grpc.listen(port, options.host);
    logger.info('gRPC API listening', {
      address: `${address.host}:${address.port}`,
      services: ['tensorflow.serving.PredictionService', 'tensorflow.serving.ModelService', INFERENCE_SERVICE_NAME],
    });
    return grpc;
  } catch (error) {
    await server.stop(0);
    throw new OperationalError(fieldMessage`${field('grpcPort', port)}: ${(error as Error).message}`);
  }
}

function reloader(server: ModelServer, options: ServerOptions, logger: Logger): () => void {
  return () => {
    logger.info('SIGHUP: reloading the config');
    Promise.resolve()
      .then(() => server.reload(servingConfigFrom(options)))
      .catch((error: unknown) =>
        logger.error('config reload failed; keeping the current config', { error: options.describeError(error) }),
      );
  };
}

function modelNames(config: ServingConfig): string[] {
  return config.models.map((model) => model.name);
}

async function drain({ server, grpc }: RunningServer, signal: string, logger: Logger): Promise<boolean> {
  logger.info(`${signal}: draining in-flight requests`, { timeout_ms: DRAIN_TIMEOUT_MS });
  const [grpcResult, restResult] = await Promise.all([grpc?.close(DRAIN_TIMEOUT_MS), server.stop(DRAIN_TIMEOUT_MS)]);
  return restResult.drained && (grpcResult?.drained ?? true);
}

async function serveAlone(options: ServerOptions): Promise<ServerStopped> {
  const logger = jsonLogger(options.writeLog, options.logLevel);
  const config = servingConfigFrom(options);
  const signals = watchServerSignals(['SIGTERM', 'SIGINT']);
  const running = await startServer(options, config, logger);
  signals.started(reloader(running.server, options, logger));
  const signal = await signals.stopSignal;
  signals.stopWatchingHangups();
  const drained = await drain(running, signal, logger);
  const address = running.server.restAddress;
  return {
    signal,
    drained,
    rest: { host: address.address, port: address.port },
    ...(running.grpc && { grpc: running.grpc.address }),
    models: modelNames(config),
  };
}

async function serveWithWorkers(options: ServerOptions, workers: number): Promise<ServerStopped> {
  const logger = jsonLogger(options.writeLog, options.logLevel);
  const config = servingConfigFrom(options);
  // Only to check the settings and the batching parameters file here, once, before any worker starts.
  requestLimitsFrom(options, batchingFrom(options));
  const signals = watchServerSignals(['SIGTERM', 'SIGINT']);
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
  return {
    signal: outcome,
    drained,
    workers,
    rest: pool.rest,
    ...(pool.grpc && { grpc: pool.grpc }),
    models: modelNames(config),
  };
}

/**
 * One worker: it stops on its first SIGTERM; a repeated one (a SIGTERM to the process group
 * arrives directly and through the primary) and SIGINT, which the primary turns into one SIGTERM
 * per worker, meet the listeners the pool starts each worker with (workers/worker-pool.ts) and do
 * nothing. Returns the start-up failure, if any, once the primary has it. (If the primary dies,
 * node:cluster ends its workers at once.)
 */
async function serveAsWorker(options: ServerOptions): Promise<unknown> {
  const logger = jsonLogger(options.writeLog, options.logLevel, { worker: workerId() });
  const signals = watchServerSignals(['SIGTERM']);
  let running: RunningServer;
  try {
    running = await startServer(options, servingConfigFrom(options), logger, clusterMetrics);
  } catch (error) {
    await reportFailure(error);
    leaveCluster();
    return error;
  }
  signals.started(reloader(running.server, options, logger));
  await reportReady(
    { host: running.server.restAddress.address, port: running.server.restAddress.port },
    running.grpc && { host: running.grpc.address.host, port: running.grpc.address.port },
  );
  const signal = await signals.stopSignal;
  signals.stopWatchingHangups();
  await reportStopped(await drain(running, signal, logger));
  leaveCluster();
  return undefined;
}
