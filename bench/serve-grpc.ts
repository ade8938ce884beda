/**
 * `npx tsx bench/serve-grpc.ts [seconds-per-point]`: Predict throughput and latency of
 * `mnist-serve serve` over gRPC (--port) and REST, one image per request, at the same
 * concurrencies, with batching off and on (the notebook's batching parameters). The server runs
 * in its own process, on a SavedModel the real exporter writes to a temporary directory; the
 * load comes from this process. Writes bench/results/serve-grpc.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTf } from '../src/engine/tf.ts';
import { initialVariables } from '../src/model/init.ts';
import { defaultModelSpec } from '../src/model/spec.ts';
import { exportSavedModel } from '../src/savedmodel/export.ts';
import { DEFAULT_SIGNATURE_NAME, PREDICT_CLASSES_SIGNATURE_NAME } from '../src/savedmodel/signatures.ts';
import { writeFileAtomic } from '../src/util/atomic-write.ts';
import { grpcLoad, restLoad, type LoadResult } from './serve-grpc-load.ts';

export const CONCURRENCIES = [1, 8, 32, 64];

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const binPath = path.join(benchDir, '..', 'bin', 'mnist-serve');
const resultsFile = path.join(benchDir, 'results', 'serve-grpc.json');

interface Serve {
  child: ChildProcess;
  restUrl: string;
  grpcAddress: string;
}

/** Starts `serve --rest-api-port 0 --port 0` and resolves once both APIs listen. */
export function startServe(basePath: string, extraArgs: string[]): Promise<Serve> {
  const child = spawn(process.execPath, [binPath, 'serve', '--rest-api-port', '0', '--port', '0', '--model-base-path', basePath, ...extraArgs], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
  });
  let stderr = '';
  return new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error(`serve did not start in 60 s: ${stderr}`)), 60_000).unref();
    child.stderr!.on('data', (chunk) => {
      stderr += chunk;
      const rest = /"REST API listening","url":"([^"]+)"/.exec(stderr);
      const grpc = /"gRPC API listening","address":"([^"]+)"/.exec(stderr);
      if (rest && grpc) resolve({ child, restUrl: rest[1]!, grpcAddress: grpc[1]! });
    });
    child.on('close', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
}

async function stopServe(serve: Serve): Promise<void> {
  const closed = new Promise((resolve) => serve.child.once('close', resolve));
  serve.child.kill('SIGTERM');
  await closed;
}

async function exportModel(): Promise<string> {
  const basePath = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-serve-bench-grpc-'));
  const spec = defaultModelSpec();
  await exportSavedModel({
    spec,
    weights: initialVariables(spec, 1),
    basePath,
    version: 1,
    modelName: 'mnist',
    signatureNames: { main: DEFAULT_SIGNATURE_NAME, classes: PREDICT_CLASSES_SIGNATURE_NAME },
    verify: false,
    warmupRequests: 0,
    loadTf,
  });
  return basePath;
}

function line(transport: string, result: LoadResult): string {
  const { p50, p99 } = result.latencyMs;
  return `  ${transport.padEnd(4)} c=${String(result.concurrency).padStart(2)}  ${result.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${p50.toFixed(2)} ms  p99 ${p99.toFixed(2)} ms  errors ${result.errors}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const seconds = Number(process.argv[2] ?? 5);
  const basePath = await exportModel();
  const runs = [];
  for (const batching of [false, true]) {
    process.stderr.write(`batching ${batching ? 'on' : 'off'}\n`);
    const serve = await startServe(basePath, batching ? ['--enable-batching'] : []);
    try {
      for (const concurrency of CONCURRENCIES) {
        const grpc = await grpcLoad(serve.grpcAddress, concurrency, seconds * 1000);
        process.stderr.write(line('grpc', grpc));
        const rest = await restLoad(serve.restUrl, concurrency, seconds * 1000);
        process.stderr.write(line('rest', rest));
        runs.push({ batching, concurrency, grpc, rest, grpcOverRest: Math.round((grpc.requestsPerSecond / rest.requestsPerSecond) * 100) / 100 });
      }
    } finally {
      await stopServe(serve);
    }
  }
  fs.rmSync(basePath, { recursive: true, force: true });
  const report = { date: new Date().toISOString(), cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadAverage: os.loadavg()[0], secondsPerPoint: seconds, imagesPerRequest: 1, runs };
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  writeFileAtomic(resultsFile, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
