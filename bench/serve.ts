/**
 * `npm run bench:serve`: the embedded REST server (the real `mnist-serve serve`, in its own
 * process) under autocannon at concurrency 1, 16 and 64, batching off and on (the notebook's
 * batching values), then batching on with one worker process per core (--workers), one 28×28
 * image per request. Reports req/s and p50/p99 latency, and the
 * ratio of req/s to the in-process batched predict rate (images/s through the same SavedModel
 * with batches of 64, no HTTP) on the same machine. Writes bench/results/serve.json.
 * Target (issue 6): batching at concurrency 64 reaches half the in-process rate with p99 < 50 ms;
 * judged on the --workers run, the configuration meant for throughput.
 * Each run also reports the CPU the server and the load generator spent per request: on a small
 * machine they share the cores, and the split shows which side limits the rate.
 * The same server also answers gRPC (--port); each run measures gRPC Predict at the same
 * concurrency right after REST (bench/serve-grpc-load.ts), reported beside it as `grpc`, then the
 * Open Inference Protocol's REST inference with the same image as JSON (`v2Json`) and with the
 * binary tensor data extension, raw float32 in and out (`v2Binary`).
 */
import autocannon from 'autocannon';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setInterOpThreads, setIntraOpThreads } from '../src/runtime/tf.ts';
import { DEFAULT_SIGNATURE_NAME } from '../src/formats/tensorflow/constants.ts';
import { DEFAULT_BATCHING } from '../src/serving/batching/batcher.ts';
import { LoadedVersion } from '../src/serving/servable/loaded-version.ts';
import { writeFileAtomic } from '../src/util/atomic-write.ts';
import { grpcLoad } from './serve-grpc-load.ts';
import {
  exportBenchModel,
  processCpuMicros,
  REST_TARGETS,
  startServer,
  type BenchServer,
  type RestTarget,
} from './serve-setup.ts';

const CONCURRENCIES = [1, 16, 64];
const DURATION_SECONDS = Number(process.env.BENCH_SERVE_SECONDS ?? 5);
const IN_PROCESS_BATCH = 64;
const TARGET_RATIO = 0.5;
const TARGET_P99_MS = 50;

const resultsFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'serve.json');

/** Images per second through LoadedVersion.run with batches of IN_PROCESS_BATCH, for ~3 s. */
async function inProcessRate(base: string, batch: number): Promise<number> {
  const loaded = await LoadedVersion.load('mnist', 1, path.join(base, '1'));
  const values = new Float32Array(batch * 784).map((_, i) => (i % 255) / 255);
  const inputs = { image: { dtype: 'DT_FLOAT' as const, shape: [batch, 28, 28, 1], values } };
  for (let i = 0; i < 5; i++) loaded.run(DEFAULT_SIGNATURE_NAME, inputs);
  let images = 0;
  const started = performance.now();
  while (performance.now() - started < 3000) {
    loaded.run(DEFAULT_SIGNATURE_NAME, inputs);
    images += batch;
  }
  const rate = images / ((performance.now() - started) / 1000);
  loaded.dispose();
  return rate;
}

/**
 * One autocannon run, with the CPU both sides spent per request: the server's (from /proc) and
 * the load generator's own (this process), since on a small machine they share the cores.
 */
async function load(server: BenchServer, connections: number, seconds: number, target: RestTarget = REST_TARGETS.v1) {
  const serverCpuBefore = processCpuMicros(server.pid);
  const ownCpuBefore = process.cpuUsage();
  const result = await autocannon({
    url: `${server.url}${target.path}`,
    method: 'POST',
    body: target.body,
    headers: target.headers,
    connections,
    duration: seconds,
  });
  const ownCpu = process.cpuUsage(ownCpuBefore);
  const perRequest = (micros: number) => Math.round(micros / Math.max(1, result.requests.total));
  return {
    concurrency: connections,
    requestsPerSecond: Math.round(result.requests.average),
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    serverCpuMicrosPerRequest: perRequest(processCpuMicros(server.pid) - serverCpuBefore),
    loadGeneratorCpuMicrosPerRequest: perRequest(ownCpu.user + ownCpu.system),
  };
}

// The in-process baseline runs TensorFlow as `serve` does by default (also its fastest here):
// one intra-op thread, every op in the calling thread.
setIntraOpThreads(1);
setInterOpThreads(-1);
process.stderr.write('exporting a SavedModel…\n');
const base = await exportBenchModel();
const inProcess = {
  batch: IN_PROCESS_BATCH,
  imagesPerSecond: Math.round(await inProcessRate(base, IN_PROCESS_BATCH)),
  unbatchedImagesPerSecond: Math.round(await inProcessRate(base, 1)),
};
process.stderr.write(
  `in-process: ${inProcess.imagesPerSecond} images/s at batch ${IN_PROCESS_BATCH}, ` +
    `${inProcess.unbatchedImagesPerSecond} at batch 1\n`,
);

/** Batching off and on in one process, then on with one worker process per core (--workers). */
const CONFIGURATIONS = [
  { batching: false, workers: 1 },
  { batching: true, workers: 1 },
  { batching: true, workers: os.availableParallelism() },
];

const runs = [];
for (const { batching, workers } of CONFIGURATIONS) {
  const server = await startServer(base, batching, workers);
  try {
    await load(server, 16, 1);
    for (const concurrency of CONCURRENCIES) {
      const run = { batching, workers, ...(await load(server, concurrency, DURATION_SECONDS)) };
      const ratio = run.requestsPerSecond / inProcess.imagesPerSecond;
      const grpc = await grpcLoad(server.grpcAddress, concurrency, DURATION_SECONDS * 1000);
      const v2Json = await load(server, concurrency, DURATION_SECONDS, REST_TARGETS.v2Json);
      const v2Binary = await load(server, concurrency, DURATION_SECONDS, REST_TARGETS.v2Binary);
      runs.push({
        ...run,
        ratioToInProcess: Number(ratio.toFixed(3)),
        grpc: { ...grpc, ratioToInProcess: Number((grpc.requestsPerSecond / inProcess.imagesPerSecond).toFixed(3)) },
        v2Json,
        v2Binary,
      });
      process.stderr.write(
        `batching ${batching ? 'on ' : 'off'} workers ${workers} c=${String(concurrency).padStart(2)}: ` +
          `${run.requestsPerSecond} req/s, p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms, ` +
          `ratio ${ratio.toFixed(2)}, errors ${run.errors + run.non2xx}, CPU µs/request: ` +
          `server ${run.serverCpuMicrosPerRequest}, load generator ${run.loadGeneratorCpuMicrosPerRequest}\n`,
      );
      process.stderr.write(
        `  gRPC                  c=${String(concurrency).padStart(2)}: ${grpc.requestsPerSecond} req/s, ` +
          `p50 ${grpc.latencyMs.p50} ms, p99 ${grpc.latencyMs.p99} ms, errors ${grpc.errors}\n`,
      );
      for (const [label, v2] of [
        ['v2 JSON  ', v2Json],
        ['v2 binary', v2Binary],
      ] as const) {
        process.stderr.write(
          `  ${label}             c=${String(concurrency).padStart(2)}: ` +
            `${v2.requestsPerSecond} req/s, p50 ${v2.latencyMs.p50} ms, p99 ${v2.latencyMs.p99} ms, ` +
            `errors ${v2.errors + v2.non2xx}, server CPU µs/request ${v2.serverCpuMicrosPerRequest}\n`,
        );
      }
    }
  } finally {
    await server.stop();
  }
}

const TARGET_WORKERS = CONFIGURATIONS[2]!.workers;
const target = runs.find((run) => run.batching && run.workers === TARGET_WORKERS && run.concurrency === 64)!;
const singleProcess = runs.find((run) => run.batching && run.workers === 1 && run.concurrency === 64)!;
const report = {
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', node: process.version },
  durationSeconds: DURATION_SECONDS,
  requestImages: 1,
  batchingParameters: DEFAULT_BATCHING,
  inProcess,
  runs,
  target: {
    description:
      `batching on, --workers ${TARGET_WORKERS} (one per core), concurrency 64: ` +
      `≥ ${TARGET_RATIO} of the in-process rate with p99 < ${TARGET_P99_MS} ms`,
    ratio: target.ratioToInProcess,
    singleProcessRatio: singleProcess.ratioToInProcess,
    p99Ms: target.latencyMs.p99,
    met: target.ratioToInProcess >= TARGET_RATIO && target.latencyMs.p99 < TARGET_P99_MS,
  },
};
fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
writeFileAtomic(resultsFile, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(report.target)}\nwrote ${resultsFile}\n`);
fs.rmSync(base, { recursive: true, force: true });
