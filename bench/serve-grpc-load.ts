/**
 * Closed-loop gRPC load for TF Serving's Predict (what autocannon is for REST in bench/serve.ts):
 * `concurrency` callers on one channel (as a TF Serving client shares one), each sending one
 * 28×28 image in tensor_content and the next as soon as the answer arrives, for `durationMs`;
 * latency is per call.
 */
import { ServingClient } from '../src/serving/client/grpc-client.ts';

export interface LoadResult {
  concurrency: number;
  requests: number;
  errors: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
}

const pixels = Float32Array.from({ length: 784 }, (_, i) => ((i * 37) % 255) / 255);

export async function grpcLoad(
  address: string,
  concurrency: number,
  durationMs: number,
  model = 'mnist',
): Promise<LoadResult> {
  const client = new ServingClient(address);
  const request = {
    model_spec: { name: model },
    inputs: {
      image: {
        dtype: 'DT_FLOAT' as const,
        tensor_shape: { dim: [1, 28, 28, 1].map((size) => ({ size })) },
        tensor_content: Buffer.from(pixels.buffer),
      },
    },
  };
  try {
    await client.predict(request);
    return await closedLoop(concurrency, durationMs, () => client.predict(request));
  } finally {
    client.close();
  }
}

async function closedLoop(concurrency: number, durationMs: number, call: () => Promise<unknown>): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const end = started + durationMs;
  const caller = async () => {
    while (performance.now() < end) {
      const sent = performance.now();
      try {
        await call();
        latencies.push(performance.now() - sent);
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN);
  return {
    concurrency,
    requests: latencies.length,
    errors,
    requestsPerSecond: round((latencies.length / elapsed) * 1000),
    latencyMs: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: round(latencies.at(-1) ?? NaN) },
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
