/**
 * What one request can cost the server under the default settings (issue 19): the real
 * `mnist-serve serve` (no batching, one process) gets one request at a time — issue 19's attacks
 * and the largest requests the limits allow — while a probe sends GET /v1/models/mnist every few
 * milliseconds. Per request: its answer and time, the probe's worst latency meanwhile (the event
 * loop stall it caused) and the server's resident memory (now and peak, from /proc). Requests run
 * from cheapest to costliest, so each peak is what that request added. Writes
 * bench/results/request-cost.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceError } from '@grpc/grpc-js';
import type { TensorProto } from '../src/formats/proto/types.ts';
import { ServingClient } from '../src/serving/client/grpc-client.ts';
import { statusName } from '../src/serving/apis/status-codes.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../src/serving/servers/rest/rest-server.ts';
import { exportBenchModel, startServer } from './serve-setup.ts';

const PROBE_INTERVAL_MS = 2;
const image = (rows: number) =>
  ({ dtype: 'DT_FLOAT', tensor_shape: { dim: [rows, 28, 28, 1].map((size) => ({ size })) } }) as TensorProto;
const pixels = (count: number) => Float32Array.from({ length: count * 784 }, (_, i) => ((i * 37) % 255) / 255);

/**
 * 1,024 images in the columnar format with every pixel at full float precision: the general JSON
 * path, just under the body limit.
 */
function largestGeneralBody(): string {
  const digits = (i: number) => (((i * 37) % 255) / 255 + 1e-9).toPrecision(17);
  const pixelRow = (n: number, y: number) =>
    `[${Array.from({ length: 28 }, (_, x) => `[${digits(n + y * 28 + x)}]`).join(',')}]`;
  const row = (n: number) => `[${Array.from({ length: 28 }, (_, y) => pixelRow(n, y)).join(',')}]`;
  let images = 1024;
  let body = '';
  do {
    body = `{"inputs": [${Array.from({ length: images }, (_, n) => row(n)).join(',')}]}`;
    images -= 16;
  } while (body.length > DEFAULT_MAX_BODY_BYTES);
  return body;
}

interface Case {
  name: string;
  send: () => Promise<string>;
}

function memory(pid: number): { rssMiB: number; peakRssMiB: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]);
  return { rssMiB: Math.round(kib('VmRSS') / 1024), peakRssMiB: Math.round(kib('VmHWM') / 1024) };
}

/** Runs `send` while probing the server; the probe's worst latency is the longest the event loop was held. */
async function measure(url: string, send: () => Promise<string>) {
  let probing = true;
  let worstProbeMs = 0;
  const probe = (async () => {
    while (probing) {
      const start = performance.now();
      await (await fetch(`${url}/v1/models/mnist`)).arrayBuffer();
      worstProbeMs = Math.max(worstProbeMs, performance.now() - start);
      await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const start = performance.now();
  const answer = await send();
  const answerMs = performance.now() - start;
  await new Promise((resolve) => setTimeout(resolve, 50));
  probing = false;
  await probe;
  return { answer, answerMs: Math.round(answerMs), worstProbeMs: Math.round(worstProbeMs) };
}

const base = await exportBenchModel();
const server = await startServer(base, false);
const client = new ServingClient(server.grpcAddress, { timeoutMs: 60_000 });
const grpcAnswer = (request: Parameters<ServingClient['predict']>[0]) => async () =>
  client.predict(request).then(
    () => 'OK',
    (error: ServiceError) => `${statusName(error)}: ${error.details}`,
  );
const restAnswer = (body: string) => async () => {
  const response = await fetch(`${server.url}/v1/models/mnist:predict`, { method: 'POST', body });
  const text = await response.text();
  return response.status === 200 ? '200' : `${response.status}: ${text.slice(0, 160)}`;
};
const predict = (tensor: TensorProto) => grpcAnswer({ model_spec: { name: 'mnist' }, inputs: { image: tensor } });
const few = (dims: number[]): TensorProto => ({
  dtype: 'DT_FLOAT',
  tensor_shape: { dim: dims.map((size) => ({ size })) },
  tensor_content: Buffer.alloc(12),
});
const content = (count: number): TensorProto => ({
  ...image(count),
  tensor_content: Buffer.from(pixels(count).buffer),
});
const rowBody = (count: number) =>
  JSON.stringify({
    instances: Array.from({ length: count }, (_, n) =>
      Array.from({ length: 28 }, (_, y) =>
        Array.from({ length: 28 }, (_, x) => [Math.round(((((n + y * 28 + x) * 37) % 255) / 255) * 1000) / 1000]),
      ),
    ),
  });

const cases: Case[] = [
  { name: 'gRPC: one image (baseline)', send: predict(content(1)) },
  {
    name: 'gRPC: broadcast to [400000,28,28,1] (issue table row 1)',
    send: predict({ ...image(400_000), float_val: [0.5] }),
  },
  { name: 'gRPC: broadcast to [100000,28,28,1] (row 2)', send: predict({ ...image(100_000), float_val: [0.5] }) },
  { name: 'gRPC: broadcast to [30000,28,28,1] (row 3)', send: predict({ ...image(30_000), float_val: [0.5] }) },
  { name: 'gRPC: shape [-5,28,28,1] (row 4)', send: predict(few([-5, 28, 28, 1])) },
  { name: 'gRPC: shape [2^40,28,28,1] (row 4)', send: predict(few([2 ** 40, 28, 28, 1])) },
  { name: 'gRPC: shape [2^31,2^31,28,1] (row 4)', send: predict(few([2 ** 31, 2 ** 31, 28, 1])) },
  { name: 'gRPC: shape [0,28,28,1] (row 5)', send: predict(image(0)) },
  {
    name: 'REST: lists nested 8M deep (16 MiB of brackets)',
    send: restAnswer(`{"instances": ${'['.repeat(8_000_000)}${']'.repeat(8_000_000)}}`),
  },
  { name: 'gRPC: broadcast to [1024,28,28,1] (largest allowed)', send: predict({ ...image(1024), float_val: [0.5] }) },
  { name: 'gRPC: 1024 images in tensor_content (largest allowed)', send: predict(content(1024)) },
  { name: 'REST: 1024 images, row format, 3 decimals (fast path, largest allowed)', send: restAnswer(rowBody(1024)) },
  {
    name: 'REST: ~1000 images, columnar, 17 digits (general JSON path, body at the 16 MiB limit)',
    send: restAnswer(largestGeneralBody()),
  },
];

const results = [];
try {
  for (const { name, send } of cases) {
    const result = await measure(server.url, send);
    const measured = { name, ...result, ...memory(server.pid) };
    results.push(measured);
    process.stderr.write(
      `${name}: ${result.answer.slice(0, 90)} | ${result.answerMs} ms, ` +
        `event loop held ≤ ${result.worstProbeMs} ms, RSS ${measured.rssMiB} MiB (peak ${measured.peakRssMiB})\n`,
    );
  }
} finally {
  client.close();
  await server.stop();
}

const report = {
  date: new Date().toISOString(),
  machine: {
    cpu: os.cpus()[0]?.model,
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg(),
    node: process.version,
  },
  settings:
    'serve defaults: no batching, one process, --max-request-rows 1024, ' +
    '--max-in-flight-rows 8192, --max-body-bytes 16777216',
  probe:
    `GET /v1/models/mnist every ${PROBE_INTERVAL_MS} ms; ` +
    'worstProbeMs is the longest one took while the request ran',
  results,
};
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'request-cost.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
process.stderr.write(`wrote ${out}\n`);
