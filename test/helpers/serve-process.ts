/** Starts the real `mnist-serve serve` on random ports and resolves once its log names them. */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { binPath, userStderr } from './cli.ts';

export interface RunningServe {
  child: ChildProcess;
  /** The REST base URL, e.g. http://127.0.0.1:40123. */
  url: string;
  /** HOST:PORT of the gRPC server; only with `grpc: true`. */
  grpcAddress: string | undefined;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/**
 * `signalOn`: send `signal` once stderr first matches `log` (e.g. to signal a server still loading).
 * `workers`: run `--workers N` and resolve once the primary logs that every worker listens.
 * `processGroup`: run serve in a process group of its own, which `signalOn` then signals whole
 * (as a terminal's Ctrl-C or systemd's stop does); signalGroup() does the same later.
 */
export function startServe(
  args: string[],
  options: {
    grpc?: boolean;
    workers?: number;
    processGroup?: boolean;
    signalOn?: { log: RegExp; signal: NodeJS.Signals };
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<RunningServe> {
  const ports = [
    '--rest-api-port',
    '0',
    ...(options.grpc ? ['--port', '0'] : []),
    ...(options.workers ? ['--workers', String(options.workers)] : []),
  ];
  const child = spawn(process.execPath, [binPath, 'serve', ...ports, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    detached: options.processGroup ?? false,
  });
  let stdout = '';
  let stderr = '';
  let signalled = false;
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 90_000);
    child.stderr!.on('data', (chunk) => {
      stderr += chunk;
      if (options.signalOn && !signalled && options.signalOn.log.test(stderr)) {
        signalled = true;
        if (options.processGroup) signalGroup(child, options.signalOn.signal);
        else child.kill(options.signalOn.signal);
      }
      const rest = /"msg":"REST API listening","url":"([^"]+)"/.exec(stderr);
      const grpc = /"msg":"gRPC API listening","address":"([^"]+)"/.exec(stderr);
      const allReady = !options.workers || stderr.includes('"msg":"all workers ready"');
      if (rest && (grpc || !options.grpc) && allReady) {
        clearTimeout(timer);
        resolve({ child, url: rest[1]!, grpcAddress: grpc?.[1], stdout: () => stdout, stderr: () => stderr, exit });
      }
    });
    exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${userStderr(stderr).join('\n')}`));
    });
  });
}

/** The JSON log lines of a server's stderr, parsed. */
export function serveLogLines(stderr: string): Record<string, unknown>[] {
  return userStderr(stderr)
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Runs `use` with a port on 127.0.0.1 that something else already listens on. */
export async function withBusyPort<T>(use: (port: number) => Promise<T>): Promise<T> {
  const busy = net.createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  try {
    return await use((busy.address() as net.AddressInfo).port);
  } finally {
    busy.close();
  }
}

/** Sends `signal` to every process in the group of a child started with `processGroup`. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  process.kill(-child.pid!, signal);
}

/** Polls `condition` every 100 ms until it holds or `timeoutMs` passes (the caller then asserts). */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
}
