/**
 * What bench:serve and bench/serve-quick.ts share: the request body, a SavedModel to serve, and
 * the real `mnist-serve serve` process started on free ports.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTf } from '../src/runtime/tf.ts';
import { initialVariables } from '../src/model/init.ts';
import { defaultModelSpec } from '../src/model/spec.ts';
import { exportSavedModel } from '../src/savedmodel/export.ts';
import { DEFAULT_SIGNATURE_NAME, PREDICT_CLASSES_SIGNATURE_NAME } from '../src/formats/tensorflow/constants.ts';

const binPath = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'mnist-serve');

/** One 28×28×1 image in TF Serving's row format, the body every REST request sends. */
const pixels = Array.from({ length: 28 }, (_, y) =>
  Array.from({ length: 28 }, (_, x) => [(((x * 28 + y) * 37) % 255) / 255]),
);
export const requestBody = JSON.stringify({ instances: [pixels] });

/** A REST request bench:serve sends over and over: path, body and headers. */
export interface RestTarget {
  path: string;
  body: string | Buffer;
  headers: Record<string, string>;
}

const flatPixels = pixels.flat(2);
const v2Header = (input: object) => ({
  inputs: [{ name: 'image', shape: [1, 28, 28, 1], datatype: 'FP32', ...input }],
});
const binaryJson = Buffer.from(
  JSON.stringify({
    ...v2Header({ parameters: { binary_data_size: 784 * 4 } }),
    parameters: { binary_data_output: true },
  }),
);

/** The same image through TF Serving's API and the Open Inference Protocol's, JSON and binary. */
export const REST_TARGETS: Record<'v1' | 'v2Json' | 'v2Binary', RestTarget> = {
  v1: { path: '/v1/models/mnist:predict', body: requestBody, headers: { 'content-type': 'application/json' } },
  v2Json: {
    path: '/v2/models/mnist/infer',
    body: JSON.stringify(v2Header({ data: flatPixels })),
    headers: { 'content-type': 'application/json' },
  },
  v2Binary: {
    path: '/v2/models/mnist/infer',
    body: Buffer.concat([binaryJson, Buffer.from(Float32Array.from(flatPixels).buffer)]),
    headers: {
      'content-type': 'application/octet-stream',
      'inference-header-content-length': String(binaryJson.length),
    },
  },
};

/** A temporary base path holding version 1 of the default model (initial weights: speed only). */
export async function exportBenchModel(): Promise<string> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-serve-bench-'));
  const spec = defaultModelSpec();
  await exportSavedModel({
    spec,
    weights: initialVariables(spec, 1),
    basePath: base,
    version: 1,
    modelName: 'mnist',
    signatureNames: { main: DEFAULT_SIGNATURE_NAME, decoded: PREDICT_CLASSES_SIGNATURE_NAME },
    verify: false,
    warmupRequests: 0,
    loadTf,
  });
  return base;
}

export interface BenchServer {
  url: string;
  grpcAddress: string;
  pid: number;
  stop(): Promise<void>;
}

/** `serve --workers N` on free REST and gRPC ports; `nodeArgs` (e.g. --cpu-prof) go to its node process(es). */
export async function startServer(
  base: string,
  batching: boolean,
  workers = 1,
  nodeArgs: string[] = [],
): Promise<BenchServer> {
  const args = [
    ...nodeArgs,
    binPath,
    'serve',
    '--rest-api-port',
    '0',
    '--port',
    '0',
    '--model-base-path',
    base,
    '--file-system-poll-wait-seconds',
    '0',
    '--workers',
    String(workers),
    ...(batching ? ['--enable-batching'] : []),
  ];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
  });
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
        const allReady = workers === 1 || stderr.includes('"msg":"all workers ready"');
        if (match && grpc && allReady) resolve([match[1]!, grpc[1]!]);
      });
      child.on('close', (code) => reject(new Error(`serve exited with ${code}: ${stderr.slice(-500)}`)));
    });
    return { url, grpcAddress, pid: child.pid!, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * utime + stime of a process and its children (a --workers primary's worker processes, live ones
 * read directly, exited ones counted in cutime/cstime) in microseconds, from /proc (Linux; clock
 * ticks of 10 ms).
 */
export function processCpuMicros(pid: number): number {
  const ticks = (stat: string, first: number, count: number) =>
    stat
      .split(') ')[1]!
      .split(' ')
      .slice(first, first + count)
      .reduce((sum, field) => sum + Number(field), 0);
  const own = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  let total = ticks(own, 11, 4);
  for (const child of childPids(pid)) {
    try {
      total += ticks(fs.readFileSync(`/proc/${child}/stat`, 'utf8'), 11, 2);
    } catch {
      // exited since the listing; its time is in the parent's cutime/cstime once reaped
    }
  }
  return (total * 1e6) / 100;
}

function childPids(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
