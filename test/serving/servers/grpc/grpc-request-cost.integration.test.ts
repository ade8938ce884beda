/**
 * What one gRPC request can cost (issue 19): each attack of the table is answered with a
 * client error naming the input and the limit, in well under a second and without the server's
 * memory growing; rows in flight are bounded; a request whose client gave up is not run.
 */
import { status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TensorProto } from '../../../../src/formats/proto/types.ts';
import { shapeDims } from '../../../../src/formats/tensorflow/shape.ts';
import { DEFAULT_BATCHING, type BatchingParameters } from '../../../../src/serving/batching/batcher.ts';
import { ServingClient } from '../../../../src/serving/client/grpc-client.ts';
import { GrpcServer } from '../../../../src/serving/servers/grpc/grpc-server.ts';
import { silentLogger } from '../../../../src/serving/monitoring/logger.ts';
import { ServingMetrics } from '../../../../src/serving/monitoring/metrics.ts';
import { PredictionService } from '../../../../src/serving/predict/prediction-service.ts';
import type { RequestLimits } from '../../../../src/serving/servable/request-limits.ts';
import { contentTensor, imageBatch, shapeProto, startGrpcFixture, type GrpcFixture } from './grpc-fixture.ts';

let fixture: GrpcFixture;

beforeAll(async () => {
  fixture = await startGrpcFixture();
});

afterAll(async () => {
  await fixture?.stop();
});

const broadcast = (rows: number): TensorProto => ({
  dtype: 'DT_FLOAT',
  tensor_shape: shapeProto([rows, 28, 28, 1]),
  float_val: [0.5],
});
const fewBytes = (dims: number[]): TensorProto => ({
  dtype: 'DT_FLOAT',
  tensor_shape: shapeProto(dims),
  tensor_content: Buffer.alloc(12),
});

/** The call's error, or undefined when it succeeded. */
async function outcome(call: Promise<unknown>): Promise<{ error?: ServiceError }> {
  return {
    error: await call.then(
      () => undefined,
      (thrown: ServiceError) => thrown,
    ),
  };
}

/** A second gRPC server over the fixture's loaded versions, with its own batching and limits. */
async function sideServer(options: { batching?: BatchingParameters; limits?: RequestLimits; timeoutMs?: number }) {
  const metrics = new ServingMetrics();
  const service = new PredictionService(fixture.server.registry, {
    batching: options.batching,
    metrics,
    limits: options.limits,
  });
  const grpc = new GrpcServer({ service, metrics, logger: silentLogger });
  const { port } = await grpc.listen(0, '127.0.0.1');
  const client = new ServingClient(`127.0.0.1:${port}`, { timeoutMs: options.timeoutMs });
  return {
    service,
    metrics,
    client,
    async close() {
      client.close();
      await grpc.close(1000);
    },
  };
}

describe('one gRPC request cannot take the server (default settings: no batching, one process)', () => {
  it.each([
    [
      'a broadcast to [400000,28,28,1]',
      broadcast(400_000),
      'input image: 400000 rows exceed the limit of 1024 rows per request',
    ],
    [
      'a broadcast to [100000,28,28,1]',
      broadcast(100_000),
      'input image: 100000 rows exceed the limit of 1024 rows per request',
    ],
    [
      'a broadcast to [30000,28,28,1]',
      broadcast(30_000),
      'input image: 30000 rows exceed the limit of 1024 rows per request',
    ],
    [
      'shape [-5,28,28,1]',
      fewBytes([-5, 28, 28, 1]),
      'input image: dimension -5 of shape [-5,28,28,1] is not a non-negative integer',
    ],
    [
      'shape [2^40,28,28,1]',
      fewBytes([2 ** 40, 28, 28, 1]),
      'input image: 1099511627776 rows exceed the limit of 1024 rows per request',
    ],
    [
      'shape [2^31,2^31,28,1]',
      fewBytes([2 ** 31, 2 ** 31, 28, 1]),
      'input image: expected shape [-1,28,28,1], got [2147483648,2147483648,28,1]',
    ],
    [
      'shape [2^63-1,28,28,1]',
      fewBytes([Number.MAX_SAFE_INTEGER * 1024, 28, 28, 1]),
      'input image: dimension 9223372036854775000 of shape [9223372036854775000,28,28,1] is not a non-negative integer',
    ],
  ])(
    'answers %s with INVALID_ARGUMENT naming the input and the limit, without allocating',
    async (_case, image, message) => {
      // Its time is measured by `npm run bench:request-cost`.
      const rssBefore = process.memoryUsage().rss;
      const { error } = await outcome(fixture.client.predict({ model_spec: { name: 'mnist' }, inputs: { image } }));
      expect({ code: error && status[error.code], details: error?.details }).toEqual({
        code: 'INVALID_ARGUMENT',
        details: message,
      });
      // The refused broadcasts alone would have been 94 MB to 1.25 GB of floats.
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(32 * 2 ** 20);
    },
  );

  it('answers shape [0,28,28,1] as TensorFlow does an empty batch: every output with 0 rows', async () => {
    const empty: TensorProto = { dtype: 'DT_FLOAT', tensor_shape: shapeProto([0, 28, 28, 1]) };
    const answer = await fixture.client.predict({ model_spec: { name: 'mnist' }, inputs: { image: empty } });
    expect(shapeDims(answer.outputs.scores!.tensor_shape)).toEqual([0, 10]);
    expect(shapeDims(answer.outputs.classes!.tensor_shape)).toEqual([0]);
    expect(answer.outputs.scores!.float_val).toEqual([]);
  });

  it('still serves a broadcast within the limit, and the largest request it allows', async () => {
    const small = await fixture.client.predict({ model_spec: { name: 'mnist' }, inputs: { image: broadcast(3) } });
    expect(small.outputs.classes!.int64_val).toHaveLength(3);
    const largest = await fixture.client.predict({ model_spec: { name: 'mnist' }, inputs: { image: broadcast(1024) } });
    expect(largest.outputs.classes!.int64_val).toHaveLength(1024);
  });
});

describe('with batching the row limit is checked before the broadcast tensor is built', () => {
  it('refuses a broadcast to [400000,28,28,1], naming max_batch_size as the limit', async () => {
    const side = await sideServer({ batching: DEFAULT_BATCHING });
    try {
      const { error } = await outcome(
        side.client.predict({ model_spec: { name: 'mnist' }, inputs: { image: broadcast(400_000) } }),
      );
      expect({ code: error && status[error.code], details: error?.details }).toEqual({
        code: 'INVALID_ARGUMENT',
        details: `input image: 400000 rows exceed the limit of ${DEFAULT_BATCHING.maxBatchSize} rows per request`,
      });
    } finally {
      await side.close();
    }
  });
});

describe('admission: rows in flight across requests', () => {
  // A long batch timeout keeps the first request in flight (waiting in its batch) while others arrive.
  const slowBatching: BatchingParameters = { ...DEFAULT_BATCHING, maxBatchSize: 64, batchTimeoutMicros: 800_000 };

  it(
    'refuses a request past --max-in-flight-rows with RESOURCE_EXHAUSTED while the admitted one waits; ' +
      'that one completes and rows are given back',
    async () => {
      const side = await sideServer({ batching: slowBatching, limits: { maxRequestRows: 64, maxInFlightRows: 64 } });
      try {
        let firstAnswered = false;
        const first = side.client
          .predict({ model_spec: { name: 'mnist' }, inputs: { image: contentTensor(imageBatch(40)) } })
          .finally(() => (firstAnswered = true));
        await vi.waitFor(() => expect(side.service.admission.rows).toBe(40));
        const { error } = await outcome(
          side.client.predict({ model_spec: { name: 'mnist' }, inputs: { image: broadcast(40) } }),
        );
        expect(error && status[error.code]).toBe('RESOURCE_EXHAUSTED');
        expect(error!.details).toContain(
          'the server is at its limit of rows in flight; retry later (40 of 64 in flight, this request 40)',
        );
        expect(firstAnswered, 'refused while the admitted request still waits for its batch').toBe(false);
        expect((await first).outputs.classes!.int64_val).toHaveLength(40);
        expect(side.service.admission.rows).toBe(0);
        const again = await side.client.predict({ model_spec: { name: 'mnist' }, inputs: { image: broadcast(64) } });
        expect(again.outputs.classes!.int64_val).toHaveLength(64);
      } finally {
        await side.close();
      }
    },
  );
});

describe('cancelled work is dropped before its engine call', () => {
  it('does not run a batched request whose gRPC deadline passed while it waited', async () => {
    const side = await sideServer({ batching: { ...DEFAULT_BATCHING, batchTimeoutMicros: 600_000 }, timeoutMs: 150 });
    try {
      const { error } = await outcome(
        side.client.predict({ model_spec: { name: 'mnist' }, inputs: { image: broadcast(2) } }),
      );
      expect(error && status[error.code]).toBe('DEADLINE_EXCEEDED');
      await new Promise((resolve) => setTimeout(resolve, 800));
      const metrics = await side.metrics.text();
      expect(metrics).toContain(
        'mnist_serve_requests_total{transport="grpc",model="mnist",api="predict",code="CANCELLED"} 1',
      );
      expect(metrics).not.toMatch(/^mnist_serve_batch_size_count\{model="mnist"\} [1-9]/m);
      expect(side.service.admission.rows).toBe(0);
    } finally {
      await side.close();
    }
  });

  it('does not run an unbatched request whose client has gone when its turn comes', async () => {
    const metrics = new ServingMetrics();
    const service = new PredictionService(fixture.server.registry, { metrics });
    const inputs = { image: { dtype: 'DT_FLOAT' as const, shape: [1, 28, 28, 1], values: imageBatch(1) } };
    await expect(service.predict({ name: 'mnist' }, inputs, [], () => true)).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    expect(service.admission.rows).toBe(0);
    expect((await service.predict({ name: 'mnist' }, inputs, [], () => false)).outputs.classes!.values).toHaveLength(1);
  });
});
