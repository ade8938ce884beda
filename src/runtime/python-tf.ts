/**
 * Finds a Python interpreter with TensorFlow, used as an independent judge of the files we
 * write (interop tests, `doctor`). Never needed to run mnist-serve itself.
 * Order: $MNIST_SERVE_PYTHON, the project's .venv-tf (made by `npm run setup:python-tf`), python3.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PythonTensorFlow {
  python: string;
  version: string;
}

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function candidates(): string[] {
  const list = [path.join(projectRoot, '.venv-tf', 'bin', 'python'), 'python3'];
  if (process.env.MNIST_SERVE_PYTHON) list.unshift(process.env.MNIST_SERVE_PYTHON);
  return list.filter((p) => !p.includes(path.sep) || fs.existsSync(p));
}

let cached: PythonTensorFlow | null | undefined;

/** The first interpreter that imports tensorflow, or null when none does. */
export function findPythonTensorFlow(): PythonTensorFlow | null {
  if (cached !== undefined) return cached;
  cached = null;
  for (const python of candidates()) {
    const result = spawnSync(python, ['-c', 'import tensorflow as tf; print(tf.__version__)'], {
      encoding: 'utf8',
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
      timeout: 120_000,
    });
    if (result.status === 0) {
      cached = { python, version: result.stdout.trim().split('\n').pop() ?? '' };
      break;
    }
  }
  return cached;
}

/** Runs a Python script with TensorFlow available; returns stdout or throws with stderr's tail. */
export function runPython(script: string, args: string[] = [], timeoutMs = 300_000): string {
  const found = findPythonTensorFlow();
  if (!found) throw new Error('no Python with TensorFlow found (run `npm run setup:python-tf`)');
  const result = spawnSync(found.python, ['-c', script, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(
      `python failed (${result.status}): ${(result.stderr || '').trim().split('\n').slice(-8).join('\n')}`,
    );
  }
  return result.stdout;
}
