/**
 * The primary of `serve --workers N`: N copies of the server in worker processes (node:cluster),
 * each with its own loaded versions and batchers, sharing the REST and gRPC ports (the primary
 * accepts connections and hands them out in turn). A single Node thread parses JSON, runs the
 * engine and writes responses; worker processes put the other cores to work.
 *
 * The primary loads no TensorFlow. It starts the workers and waits until all listen (the first
 * start-up failure stops the rest and is reported once), forwards SIGHUP, stops them with SIGTERM
 * (each drains), and aggregates their metrics. A worker that dies while serving stops the whole
 * server, so a supervisor (Docker, Kubernetes, systemd) restarts it whole.
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import { OperationalError, UserInputError } from '../../../errors.ts';
import type { Logger } from '../../monitoring/logger.ts';
import {
  isClosedChannelError,
  isWorkerMessage,
  type ListenAddress,
  type MetricsReply,
  type WorkerFailed,
  type WorkerMessage,
} from './messages.ts';

/**
 * Run by each worker before any of its own code: a stop or reload signal must come from the
 * primary, which forwards them once the worker is up. One that reaches the whole process group
 * first (a terminal's Ctrl-C, `kill -- -PGID`) would otherwise kill a worker still loading, as the
 * default actions do. The worker's server adds its own listeners once it runs (server-main.ts).
 */
const IGNORE_GROUP_SIGNALS =
  "data:text/javascript,for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});";

interface WorkerState {
  worker: Worker;
  ready: boolean;
  stopped?: { drained: boolean };
  exited: Promise<void>;
}

export class WorkerPool {
  private readonly states: WorkerState[] = [];
  private readonly aggregator = new AggregatorRegistry();
  private stopping = false;
  private rejectCrash: (error: Error) => void = () => {};
  /** Rejects if a worker exits while the pool is serving (not stopping). */
  readonly crashed = new Promise<never>((_, reject) => (this.rejectCrash = reject));
  rest!: ListenAddress;
  grpc: ListenAddress | undefined;

  private constructor(private readonly logger: Logger) {
    this.crashed.catch(() => {});
  }

  /** Forks `count` workers (each runs this same command line) and resolves once all listen. */
  static async start(count: number, logger: Logger): Promise<WorkerPool> {
    const pool = new WorkerPool(logger);
    const execArgv = cluster.settings.execArgv ?? process.execArgv;
    if (!execArgv.includes(IGNORE_GROUP_SIGNALS))
      cluster.setupPrimary({ execArgv: [...execArgv, '--import', IGNORE_GROUP_SIGNALS] });
    const readies = Array.from({ length: count }, () => pool.fork());
    try {
      await Promise.all(readies);
    } catch (error) {
      pool.stopping = true;
      for (const state of pool.states) state.worker.process.kill('SIGKILL');
      await Promise.all(pool.states.map((state) => state.exited));
      throw error;
    }
    logger.info('all workers ready', { workers: count, url: `http://${pool.rest.host}:${pool.rest.port}` });
    return pool;
  }

  /** SIGHUP to every worker: each re-reads the config as a single server does. */
  reload(): void {
    for (const state of this.states) state.worker.process.kill('SIGHUP');
  }

  /** SIGTERM to every worker; resolves when all have exited, drained if every one drained. */
  async stop(): Promise<{ drained: boolean }> {
    this.stopping = true;
    for (const state of this.states) if (state.worker.isConnected()) state.worker.process.kill('SIGTERM');
    await Promise.all(this.states.map((state) => state.exited));
    return { drained: this.states.every((state) => state.stopped?.drained === true) };
  }

  private fork(): Promise<void> {
    const worker = cluster.fork();
    let settle: { resolve: () => void; reject: (error: Error) => void } = { resolve: () => {}, reject: () => {} };
    const ready = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    const state: WorkerState = {
      worker,
      ready: false,
      exited: new Promise<void>((resolve) => {
        worker.once('exit', (code, signal) => {
          const how = signal ? `signal ${signal}` : `code ${code}`;
          // Before `ready`: a worker that reported its failure has already rejected; this covers one that could not.
          if (!state.ready)
            settle.reject(new OperationalError(`worker process ${worker.id} exited during start-up (${how})`));
          else if (!this.stopping) {
            this.logger.error('worker exited unexpectedly; stopping the server', {
              worker: worker.id,
              pid: worker.process.pid,
              exit: how,
            });
            this.rejectCrash(
              new OperationalError(
                `worker process ${worker.id} (pid ${worker.process.pid}) ` +
                  `exited unexpectedly (${how}); the server stopped`,
              ),
            );
          }
          resolve();
        });
      }),
    };
    this.states.push(state);
    // A message to a worker that has just died fails (EPIPE) before its 'exit' arrives, and an
    // 'error' nobody listens to would take the primary down with it; the exit is what reports it.
    worker.on('error', (error: Error) => {
      if (!isClosedChannelError(error))
        this.logger.error('message to a worker failed', { worker: worker.id, error: error.message });
    });
    worker.on('message', (message: unknown) => {
      if (isWorkerMessage(message)) this.handle(state, message, settle);
    });
    return ready;
  }

  private handle(
    state: WorkerState,
    message: WorkerMessage,
    settle: { resolve: () => void; reject: (error: Error) => void },
  ): void {
    switch (message.type) {
      case 'mnist-serve:ready':
        state.ready = true;
        this.rest = message.rest;
        this.grpc = message.grpc;
        this.logger.info('worker ready', { worker: state.worker.id, pid: state.worker.process.pid });
        settle.resolve();
        break;
      case 'mnist-serve:failed':
        settle.reject(errorFrom(message));
        break;
      case 'mnist-serve:stopped':
        state.stopped = { drained: message.drained };
        break;
      case 'mnist-serve:metrics-request':
        // Workers leave one by one while the pool stops: an aggregation would wait for the gone.
        if (this.stopping) {
          reply(state.worker, { type: 'mnist-serve:metrics', id: message.id, error: 'the server is stopping' });
          break;
        }
        this.aggregator.clusterMetrics().then(
          (text) => reply(state.worker, { type: 'mnist-serve:metrics', id: message.id, text }),
          (error: Error) => reply(state.worker, { type: 'mnist-serve:metrics', id: message.id, error: error.message }),
        );
        break;
    }
  }
}

function reply(worker: Worker, message: MetricsReply): void {
  if (worker.isConnected()) worker.send(message);
}

/** The worker's error as the primary's own, so run-action.ts reports it as a single server would. */
function errorFrom(failure: WorkerFailed): Error {
  if (failure.kind === 'usage') return new UserInputError(failure.parts ?? failure.message);
  if (failure.kind === 'failure') return new OperationalError(failure.parts ?? failure.message);
  const error = new Error(failure.message);
  if (failure.stack) error.stack = failure.stack;
  return error;
}
