/**
 * The worker's end of `serve --workers N` (node:cluster): it reports readiness, start-up failures
 * and its drain to the primary, and answers /monitoring/prometheus/metrics with every worker's
 * metrics aggregated by the primary (prom-client's AggregatorRegistry), so a scrape sees the whole
 * server whichever worker it reaches.
 */
import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { OperationalError, UserInputError } from '../../../errors.ts';
import { isErrnoError } from '../../../util/atomic-write.ts';
import { isClosedChannelError, type ListenAddress, type MetricsReply, type WorkerMessage } from './messages.ts';

/** How long a worker waits for the primary's aggregated metrics before answering an error. */
const METRICS_TIMEOUT_MS = 10_000;

export function isServeWorker(): boolean {
  return cluster.isWorker;
}

export function workerId(): number {
  return cluster.worker!.id;
}

/** Resolves once the message is handed to the IPC channel (or at once when it has closed). */
function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) resolve();
    else process.send!(message, undefined, undefined, () => resolve());
  });
}

export function reportReady(rest: ListenAddress, grpc?: ListenAddress): Promise<void> {
  return send({ type: 'mnist-serve:ready', rest, ...(grpc && { grpc }) });
}

/** The last message before `leaveCluster()`, after the worker has drained. */
export function reportStopped(drained: boolean): Promise<void> {
  return send({ type: 'mnist-serve:stopped', drained });
}

/** A start-up failure, which the primary reports once (as its own error) for the whole server. */
export function reportFailure(error: unknown): Promise<void> {
  // The kinds run-action.ts maps to exit codes and messages: an errno error (EACCES on a model's
  // file, say) is the environment's refusal, reported as a failure, not as a bug.
  const kind =
    error instanceof UserInputError
      ? 'usage'
      : error instanceof OperationalError || isErrnoError(error)
        ? 'failure'
        : 'internal';
  const message = error instanceof Error ? error.message : String(error);
  const parts = error instanceof UserInputError || error instanceof OperationalError ? { parts: error.parts } : {};
  return send({
    type: 'mnist-serve:failed',
    kind,
    message,
    ...parts,
    ...(kind === 'internal' && error instanceof Error && { stack: error.stack }),
  });
}

/** Closes the IPC channel, which otherwise keeps a worker process alive after its server stopped. */
export function leaveCluster(): void {
  if (process.connected) cluster.worker!.disconnect();
}

/**
 * Offers `registry` to the primary's aggregation and returns the function that fetches the
 * aggregated text (for the worker's metrics endpoint).
 */
export function clusterMetrics(registry: Registry): () => Promise<string> {
  // Constructing one installs prom-client's worker-side listener for the primary's requests.
  new AggregatorRegistry();
  // That listener replies without a callback: a request that crosses this worker's leaving would
  // otherwise surface as an unhandled 'error' event and a crash on the way out.
  process.on('error', (error: NodeJS.ErrnoException) => {
    if (!isClosedChannelError(error)) throw error;
  });
  AggregatorRegistry.setRegistries([registry]);
  let nextId = 0;
  const pending = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();
  process.on('message', (message: MetricsReply) => {
    if (message?.type !== 'mnist-serve:metrics') return;
    const request = pending.get(message.id);
    if (!request) return;
    pending.delete(message.id);
    if (message.error !== undefined) request.reject(new Error(`aggregating worker metrics: ${message.error}`));
    else request.resolve(message.text ?? '');
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('aggregating worker metrics: the primary process did not answer'));
      }, METRICS_TIMEOUT_MS);
      pending.set(id, {
        resolve: (text) => {
          clearTimeout(timer);
          resolve(text);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      send({ type: 'mnist-serve:metrics-request', id });
    });
}
