/** Runs the real `bin/mnist-serve` in a child process, as a user or a CI step would. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const binPath = path.join(projectRoot, 'bin', 'mnist-serve');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; nodeArgs?: string[]; timeoutMs?: number } = {},
): Promise<CliResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), binPath, ...args], {
      cwd: options.cwd ?? projectRoot,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/**
 * Runs the CLI on a pseudo-terminal (through `script`), as from an interactive shell, without
 * NO_COLOR: what a user sees on a terminal, stdout and stderr merged into `stdout`.
 */
export function runOnTerminal(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const started = performance.now();
  // A pseudo-terminal starts with no size; give it a usual one, as a terminal window has. The
  // command runs in script's own session, out of reach of a test's timeout: `timeout` bounds it.
  const quoted = [process.execPath, binPath, ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  const seconds = Math.ceil((options.timeoutMs ?? 120_000) / 1000);
  const command = `stty cols 100 rows 30; exec timeout --kill-after=5 ${seconds} ${quoted}`;
  const env = { ...process.env };
  delete env.NO_COLOR;
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', command, '/dev/null'], {
      cwd: options.cwd ?? projectRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

/** stderr without libtensorflow's own start-up log lines, which no flag can silence. */
export function userStderr(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line && !line.startsWith('WARNING: All log messages before absl') && !/^[IWE]\d{4} /.test(line));
}
