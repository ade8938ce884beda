/**
 * Lazy access to the TensorFlow engine. Importing tfjs-node loads ~850 MB of libtensorflow, so
 * nothing imports it at module load: commands that need it call `loadTf()`, and `--help`,
 * `inspect-graph --saved-model` and the file-format code never pay for it.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { field, fieldMessage, OperationalError, UserInputError } from '../errors.ts';

export type Tf = typeof import('@tensorflow/tfjs-node');
export type Device = 'cpu' | 'gpu' | 'auto';

export const CPU_PACKAGE = '@tensorflow/tfjs-node';
export const GPU_PACKAGE = '@tensorflow/tfjs-node-gpu';

const require = createRequire(import.meta.url);

let loaded: Tf | undefined;
let selectedDevice: Device = 'auto';

/** Chooses the device for the next `loadTf()`; set once, before TensorFlow loads. */
export function selectDevice(device: Device): void {
  selectedDevice = device;
}

function isInstalled(packageName: string): boolean {
  try {
    require.resolve(`${packageName}/package.json`);
    return true;
  } catch {
    return false;
  }
}

/** The engine package `loadTf()` would use for `device`, without loading it. */
export function enginePackageFor(device: Device): string {
  if (device === 'cpu') return CPU_PACKAGE;
  if (isInstalled(GPU_PACKAGE)) return GPU_PACKAGE;
  if (device === 'gpu') {
    throw new UserInputError([
      ...fieldMessage`${field('device', 'gpu')} needs ${GPU_PACKAGE}: `,
      `run \`npm install --save-exact ${GPU_PACKAGE}@4.22.0\` on a machine with CUDA, then \`npm run setup:engine\``,
    ]);
  }
  return CPU_PACKAGE;
}

/**
 * npm skips install scripts here (see .npmrc), so the first command that needs the engine builds
 * the binding once (scripts/install-engine.mjs, ~20 s) instead of failing; its output goes to
 * stderr so --json stdout stays clean. MNIST_SERVE_NO_AUTO_SETUP=1 turns this off.
 */
function requireEngine(packageName: string): Tf {
  try {
    return require(packageName) as Tf;
  } catch (error) {
    if (packageName !== CPU_PACKAGE || process.env.MNIST_SERVE_NO_AUTO_SETUP === '1') throw error;
    const script = fileURLToPath(new URL('../../scripts/install-engine.mjs', import.meta.url));
    const result = spawnSync(process.execPath, [script], { stdio: ['ignore', 2, 2] });
    if (result.status !== 0) throw error;
    return require(packageName) as Tf;
  }
}

export async function loadTf(): Promise<Tf> {
  if (loaded) return loaded;
  const packageName = enginePackageFor(selectedDevice);
  // libtensorflow logs INFO lines (oneDNN, CPU features) to stderr at load; keep CLI output clean.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  let tf: Tf;
  try {
    tf = requireEngine(packageName);
  } catch (error) {
    throw new OperationalError(
      `the TensorFlow engine (${packageName}) does not load: ${(error as Error).message.split('\n')[0]}; ` +
        'run `npm run setup:engine` to build it',
    );
  }
  loaded = tf;
  return tf;
}

/**
 * Sets TensorFlow's intra-op thread pool size for this process (TF_NUM_INTRAOP_THREADS, read
 * when libtensorflow starts, so it must come before the first `loadTf()`); 0 leaves TF's
 * default of one thread per core. An explicit TF_NUM_INTRAOP_THREADS in the environment wins.
 */
export function setIntraOpThreads(threads: number): void {
  if (loaded) throw new Error('setIntraOpThreads must be called before TensorFlow is loaded');
  if (threads > 0 && process.env.TF_NUM_INTRAOP_THREADS === undefined) {
    process.env.TF_NUM_INTRAOP_THREADS = String(threads);
  }
}

/**
 * Sets TensorFlow's inter-op thread pool for this process's sessions (TF_NUM_INTEROP_THREADS,
 * read when libtensorflow starts): a negative value runs every op of a session call in the
 * calling thread (TensorFlow's DirectSession does so when the variable is negative), 0 leaves
 * TF's default pool. An explicit TF_NUM_INTEROP_THREADS in the environment wins.
 */
export function setInterOpThreads(threads: number): void {
  if (loaded) throw new Error('setInterOpThreads must be called before TensorFlow is loaded');
  if (threads !== 0 && process.env.TF_NUM_INTEROP_THREADS === undefined) {
    process.env.TF_NUM_INTEROP_THREADS = String(threads);
  }
}

/**
 * Runs a SavedModel call without tfjs-node's "INT64 output tensor will be stored as
 * BigInt64Array." line, which it prints to stderr on every call with an int64 output (the
 * `classes` tensor): noise in CLI output and server logs, and we convert int64 ourselves.
 */
export function withoutInt64Warning<T>(run: () => T): T {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).startsWith('INT64 output tensor')) warn(...args);
  };
  try {
    return run();
  } finally {
    console.warn = warn;
  }
}
