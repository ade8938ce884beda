/**
 * What bench:serve and bench/serve-quick.ts share: the request body, a SavedModel to serve, and
 * the real `mnist-serve serve` process started on free ports.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTf } from '../src/engine/tf.ts';
import { initialVariables } from '../src/model/init.ts';
import { defaultModelSpec } from '../src/model/spec.ts';
import { exportSavedModel } from '../src/savedmodel/export.ts';
import { DEFAULT_SIGNATURE_NAME, PREDICT_CLASSES_SIGNATURE_NAME } from '../src/savedmodel/signatures.ts';

const binPath = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'mnist-serve');

/** One 28×28×1 image in TF Serving's row format, the body every REST request sends. */
const pixels = Array.from({ length: 28 }, (_, y) => Array.from({ length: 28 }, (_, x) => [((x * 28 + y) * 37 % 255) / 255]));
export const requestBody = JSON.stringify({ instances: [pixels] });

/** A temporary base path holding version 1 of the default model (initial weights: speed only). */
export async function exportBenchModel(): Promise<string> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-serve-bench-'));
  const spec = defaultModelSpec();
  await exportSavedModel({
    spec, weights: initialVariables(spec, 1), basePath: base, version: 1, modelName: 'mnist',
    signatureNames: { main: DEFAULT_SIGNATURE_NAME, classes: PREDICT_CLASSES_SIGNATURE_NAME },
    verify: false, warmupRequests: 0, loadTf,
  });
  return base;
}

export interface BenchServer {
  url: string;
  grpcAddress: string;
  pid: number;
  stop(): Promise<void>;
}

/** `serve` on free REST and gRPC ports; `nodeArgs` (e.g. --cpu-prof) go to its node process. */
export async function startServer(base: string, batching: boolean, nodeArgs: string[] = []): Promise<BenchServer> {
  const args = [...nodeArgs, binPath, 'serve', '--rest-api-port', '0', '--port', '0', '--model-base-path', base, '--file-system-poll-wait-seconds', '0', ...(batching ? ['--enable-batching'] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } });
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  try {
    const [url, grpcAddress] = await new Promise<[string, string]>((resolve, reject) => {
      child.stderr!.on('data', (chunk) => {
        stderr += chunk;
        const match = /"url":"([^"]+)"/.exec(stderr);
        const grpc = /"gRPC API listening","address":"([^"]+)"/.exec(stderr);
        if (match && grpc) resolve([match[1]!, grpc[1]!]);
      });
      child.on('close', (code) => reject(new Error(`serve exited with ${code}: ${stderr.slice(-500)}`)));
    });
    return { url, grpcAddress, pid: child.pid!, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** utime + stime of a process in microseconds, from /proc (Linux; clock ticks of 10 ms). */
export function processCpuMicros(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
}
