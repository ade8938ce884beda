/**
 * What a `serve --workers N` primary and its worker processes say over the cluster IPC channel.
 * Signals carry the rest: the primary sends SIGTERM to stop a worker (it drains) and SIGHUP to
 * make it re-read the config, as a single-process server takes them.
 */
import type { MessagePart } from '../../../errors.ts';

export interface ListenAddress {
  host: string;
  port: number;
}

/** A worker failed to start; `kind` picks the exit code the primary reports it with. */
export interface WorkerFailed {
  type: 'mnist-serve:failed';
  kind: 'usage' | 'failure' | 'internal';
  message: string;
  /** The message with the fields it names (src/errors.ts), so the primary's CLI names them as flags. */
  parts?: readonly MessagePart[];
  /** The worker's stack for an internal error, which `--verbose` prints. */
  stack?: string;
}

export interface WorkerReady {
  type: 'mnist-serve:ready';
  rest: ListenAddress;
  grpc?: ListenAddress;
}

export interface WorkerStopped {
  type: 'mnist-serve:stopped';
  drained: boolean;
}

/** A worker asks for every worker's metrics (its own /monitoring/prometheus/metrics request). */
export interface MetricsRequest {
  type: 'mnist-serve:metrics-request';
  id: number;
}

export interface MetricsReply {
  type: 'mnist-serve:metrics';
  id: number;
  text?: string;
  error?: string;
}

export type WorkerMessage = WorkerFailed | WorkerReady | WorkerStopped | MetricsRequest;

export function isWorkerMessage(message: unknown): message is WorkerMessage {
  const type = (message as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type.startsWith('mnist-serve:');
}

/**
 * A write to the other end of the channel failed because that end is gone or leaving: a worker
 * that died before its primary saw the exit (EPIPE, ECONNRESET), or one that has disconnected.
 */
export function isClosedChannelError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'EPIPE' || code === 'ECONNRESET' || code === 'ERR_IPC_CHANNEL_CLOSED';
}
