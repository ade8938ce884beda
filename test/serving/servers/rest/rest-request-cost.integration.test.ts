/**
 * What one REST request can cost (issue 19): oversized or malformed tensors are 400s naming the
 * input and the limit, answered at once; rows in flight are bounded (503); a request whose
 * connection closed while it waited is not run.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_BATCHING } from '../../../../src/serving/batching/batcher.ts';
import { MAX_INPUT_VALUES } from '../../../../src/serving/servable/request-limits.ts';
import { exportVersion, tempDir } from '../../helpers/export-version.ts';
import { modelConfig, request, startServer, type TestServer } from '../../helpers/test-server.ts';

let base: string;
let served: TestServer;

beforeAll(async () => {
  base = tempDir('rest-cost');
  await exportVersion(base, 1);
  served = await startServer([modelConfig(base)]);
}, 120_000);

afterAll(async () => {
  await served?.server.stop();
});

const zeroImage = () => Array.from({ length: 28 }, () => Array.from({ length: 28 }, () => [0]));

const post = (url: string, body: string) => request(`${url}/v1/models/mnist:predict`, 'POST', body);

/**
 * A list whose first element at each level is full and the rest scalars: its first elements
 * declare `size`^`levels` values.
 */
function declaresMoreThanItHolds(size: number, levels: number): unknown {
  let node: unknown = Array(size).fill(0);
  for (let level = 1; level < levels; level++) node = [node, ...Array(size - 1).fill(0)];
  return node;
}

describe('one REST request cannot take the server (default settings)', () => {
  // What each answer costs the server in time and memory is measured by `npm run bench:request-cost`.
  it.each([
    [
      '1025 instances (row format)',
      () => JSON.stringify({ instances: Array.from({ length: 1025 }, zeroImage) }),
      'input image: 1025 rows exceed the limit of 1024 rows per request',
    ],
    [
      '1025 rows (columnar format)',
      () => JSON.stringify({ inputs: Array.from({ length: 1025 }, zeroImage) }),
      'input image: 1025 rows exceed the limit of 1024 rows per request',
    ],
    [
      'first elements declaring 2.7e10 values in a few KB',
      () => JSON.stringify({ inputs: declaresMoreThanItHolds(3000, 3) }),
      `input image: shape [3000,3000,3000] holds more than ${MAX_INPUT_VALUES} values, the limit per input`,
    ],
    [
      'instances whose first element declares 2.7e10 values',
      () => JSON.stringify({ instances: [declaresMoreThanItHolds(3000, 3)] }),
      `holds more than ${MAX_INPUT_VALUES} values, the limit per input`,
    ],
    [
      'lists nested 100,000 deep',
      () => `{"instances": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
      'JSON Parse error: nested deeper than 257 levels (a tensor has at most 254 dimensions)',
    ],
  ])('answers %s with 400 naming the input and the limit', async (_case, body, message) => {
    const answer = await post(served.url, body());
    expect(answer.status).toBe(400);
    expect(answer.body.error).toContain(message);
  });

  it('answers the largest request allowed', async () => {
    const answer = await post(served.url, JSON.stringify({ instances: Array.from({ length: 1024 }, zeroImage) }));
    expect(answer.status).toBe(200);
    expect(answer.body.predictions).toHaveLength(1024);
  });
});

describe('REST admission and cancellation (batching with a long batch timeout keeps requests in flight)', () => {
  let slow: TestServer;

  beforeAll(async () => {
    slow = await startServer([modelConfig(base)], {
      batching: { ...DEFAULT_BATCHING, maxBatchSize: 64, batchTimeoutMicros: 700_000 },
      limits: { maxRequestRows: 64, maxInFlightRows: 64 },
    });
  });

  afterAll(async () => {
    await slow?.server.stop();
  });

  it(
    'answers 503 past --max-in-flight-rows while the admitted request waits, ' +
      'and serves again once rows are given back',
    async () => {
      let firstAnswered = false;
      const first = post(slow.url, JSON.stringify({ instances: Array.from({ length: 40 }, zeroImage) })).finally(
        () => (firstAnswered = true),
      );
      await vi.waitFor(() => expect(slow.server.service.admission.rows).toBe(40));
      const refused = await post(slow.url, JSON.stringify({ instances: Array.from({ length: 40 }, zeroImage) }));
      expect(refused.status).toBe(503);
      expect(refused.body.error).toContain('the server is at its limit of rows in flight; retry later');
      expect(firstAnswered, 'refused while the admitted request still waits for its batch').toBe(false);
      expect((await first).status).toBe(200);
      expect(slow.server.service.admission.rows).toBe(0);
    },
  );

  it('does not run a request whose connection closed while it waited for its batch', async () => {
    const before = await slow.server.metrics.text();
    expect(before).not.toContain('code="CANCELLED"');
    await new Promise<void>((resolve) => {
      const call = http.request(`${slow.url}/v1/models/mnist:predict`, { method: 'POST', agent: false });
      call.on('error', () => resolve());
      call.end(JSON.stringify({ instances: [zeroImage()] }));
      setTimeout(() => call.destroy(), 150);
    });
    await new Promise((resolve) => setTimeout(resolve, 900));
    const metrics = await slow.server.metrics.text();
    expect(metrics).toContain(
      'mnist_serve_requests_total{transport="rest",model="mnist",api="predict",code="CANCELLED"} 1',
    );
    const batches = (text: string) =>
      Number(/^mnist_serve_batch_size_count\{model="mnist"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    expect(batches(metrics)).toBe(batches(before));
    expect(slow.server.service.admission.rows).toBe(0);
  });
});
