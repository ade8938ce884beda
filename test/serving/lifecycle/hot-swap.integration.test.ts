import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadTf } from '../../../src/runtime/tf.ts';
import { QUEUE_FULL_MESSAGE } from '../../../src/serving/batching/batcher.ts';
import { jsonLogger } from '../../../src/serving/monitoring/logger.ts';
import { exportVersion, sampleImage, tempDir } from '../helpers/export-version.ts';
import { modelConfig, request, startServer, type TestServer } from '../helpers/test-server.ts';

/** Scores TensorFlow computes for sampleImage(0), per version (the exporter seeds weights by version). */
const expectedScores = new Map<number, number[]>();
let running: TestServer | undefined;

beforeAll(async () => {
  const reference = tempDir('swap-reference');
  const tf = await loadTf();
  for (const version of [1, 2]) {
    const model = await tf.node.loadSavedModel(await exportVersion(reference, version), ['serve'], 'serving_default');
    const out = model.predict({ image: tf.tensor([sampleImage(0)]) }) as Record<
      string,
      import('@tensorflow/tfjs-node').Tensor
    >;
    expectedScores.set(version, Array.from(out.scores!.dataSync()));
    model.dispose();
  }
}, 120_000);

afterEach(async () => {
  await running?.server.stop();
  running = undefined;
});

/** Which version computed `scores` (within float tolerance across batch sizes), or undefined. */
function versionOf(scores: number[]): number | undefined {
  for (const [version, wanted] of expectedScores)
    if (wanted.every((value, i) => Math.abs(value - scores[i]!) < 1e-4)) return version;
  return undefined;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const states = async (url: string) =>
  Object.fromEntries(
    ((await request(`${url}/v1/models/mnist`)).body?.model_version_status ?? []).map(
      (s: { version: string; state: string }) => [s.version, s.state],
    ),
  );

describe('hot version swaps', () => {
  it('moves 32 concurrent connections from version 1 to ' +
    'a newly exported version 2 without a failed request', async () => {
    const base = tempDir('swap');
    await exportVersion(base, 1);
    running = await startServer([modelConfig(base)], {
      pollWaitSeconds: 0.2,
      batching: {
        maxBatchSize: 64,
        batchTimeoutMicros: 1000,
        maxEnqueuedBatches: 100,
        numBatchThreads: 1,
        allowedBatchSizes: [],
      },
    });
    const url = running.url;
    const body = JSON.stringify({ instances: [sampleImage(0)] });
    const answers: { status: number; version: number | undefined }[] = [];
    let exported: Promise<string> | undefined;
    let swapped = false;
    // At least 2,000 requests, and on until version 1 has left (bounded at 20,000).
    const worker = async () => {
      while ((answers.length < 2000 || !swapped) && answers.length < 20_000) {
        const response = await fetch(`${url}/v1/models/mnist:predict`, { method: 'POST', body });
        const json = (await response.json()) as { predictions?: { scores: number[] }[] };
        answers.push({
          status: response.status,
          version: json.predictions ? versionOf(json.predictions[0]!.scores) : undefined,
        });
        if (answers.length === 300) exported = exportVersion(base, 2);
      }
    };
    const watcher = waitFor(async () => (swapped = (await states(url))['1'] === 'END'), 120_000);
    await Promise.all([...Array.from({ length: 32 }, worker), watcher]);
    await exported;

    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    expect(answers.filter((answer) => answer.version === undefined)).toEqual([]);
    const byVersion = (version: number) => answers.filter((answer) => answer.version === version).length;
    expect(byVersion(1)).toBeGreaterThan(0);
    expect(byVersion(2)).toBeGreaterThan(0);
    // Once version 2 answered, every later answer came from it: traffic moves once.
    const firstV2 = answers.findIndex((answer) => answer.version === 2);
    expect(answers.slice(firstV2 + 64).every((answer) => answer.version === 2)).toBe(true);
    expect(await states(url)).toEqual({ '2': 'AVAILABLE', '1': 'END' });
  }, 180_000);

  it('rolls back to version 1 when version 2 is removed, ' +
    'and keeps serving a good version when a new one is broken', async () => {
    const base = tempDir('rollback');
    await exportVersion(base, 1);
    await exportVersion(base, 2);
    running = await startServer([modelConfig(base)], { pollWaitSeconds: 0.2 });
    const url = running.url;
    expect(await states(url)).toEqual({ '2': 'AVAILABLE' });
    fs.rmSync(path.join(base, '2'), { recursive: true });
    await waitFor(async () => (await states(url))['2'] === 'END');
    expect(await states(url)).toEqual({ '2': 'END', '1': 'AVAILABLE' });
    const answer = await request(`${url}/v1/models/mnist:predict`, 'POST', { instances: [sampleImage(0)] });
    expect(versionOf(answer.body.predictions[0].scores)).toBe(1);

    fs.mkdirSync(path.join(base, '3'));
    fs.writeFileSync(path.join(base, '3', 'saved_model.pb'), 'not a protobuf');
    await waitFor(
      async () => (await request(`${url}/v1/models/mnist/versions/3`)).body?.model_version_status?.[0]?.state === 'END',
    );
    const status = (await request(`${url}/v1/models/mnist/versions/3`)).body.model_version_status[0];
    expect(status.status.error_code).toBe('UNKNOWN');
    expect(status.status.error_message).toContain('saved_model.pb');
    expect((await states(url))['1']).toBe('AVAILABLE');
  }, 120_000);

  it('reports the old version UNLOADING while a request it answers is in flight, ' +
    'and END once that request is done', async () => {
    const base = tempDir('unloading');
    await exportVersion(base, 1);
    await exportVersion(base, 2);
    // A long batch timeout holds the request (and its lease on version 1) in an open batch during the swap.
    running = await startServer([modelConfig(base, { versionPolicy: { kind: 'specific', versions: [1] } })], {
      batching: {
        maxBatchSize: 64,
        batchTimeoutMicros: 5_000_000,
        maxEnqueuedBatches: 10,
        numBatchThreads: 1,
        allowedBatchSizes: [],
      },
    });
    const url = running.url;
    let settled = false;
    const inFlight = request(`${url}/v1/models/mnist:predict`, 'POST', { instances: [sampleImage(0)] }).finally(
      () => (settled = true),
    );
    await waitFor(
      async () =>
        /mnist_serve_batch_queue_depth\{model="mnist"\} 1/.test(
          await (await fetch(`${url}/monitoring/prometheus/metrics`)).text(),
        ),
      10_000,
    );
    const swap = running.server.reload({
      models: [modelConfig(base, { versionPolicy: { kind: 'specific', versions: [2] } })],
    });
    await waitFor(async () => (await states(url))['1'] === 'UNLOADING', 10_000);
    expect(settled).toBe(false);
    expect(await states(url)).toEqual({ '2': 'AVAILABLE', '1': 'UNLOADING' });
    expect((await request(`${url}/v1/models/mnist/versions/1`)).body.model_version_status).toEqual([
      { version: '1', state: 'UNLOADING', status: { error_code: 'OK', error_message: '' } },
    ]);
    // An unloading version takes no new requests; the one it holds is still answered by it.
    expect(
      (await request(`${url}/v1/models/mnist/versions/1:predict`, 'POST', { instances: [sampleImage(0)] })).status,
    ).toBe(404);
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(versionOf(answer.body.predictions[0].scores)).toBe(1);
    await swap;
    expect(await states(url)).toEqual({ '2': 'AVAILABLE', '1': 'END' });
  }, 120_000);

  it('moves a label and changes the policy on a config reload', async () => {
    const base = tempDir('labels');
    await exportVersion(base, 1);
    await exportVersion(base, 2);
    running = await startServer([modelConfig(base, { versionPolicy: { kind: 'all' }, versionLabels: { stable: 1 } })]);
    const stable = async () =>
      versionOf(
        (
          await request(`${running!.url}/v1/models/mnist/labels/stable:predict`, 'POST', {
            instances: [sampleImage(0)],
          })
        ).body.predictions[0].scores,
      );
    expect(await stable()).toBe(1);
    await running.server.reload({
      models: [modelConfig(base, { versionPolicy: { kind: 'specific', versions: [2] }, versionLabels: { stable: 2 } })],
    });
    expect(await stable()).toBe(2);
    expect(await states(running.url)).toEqual({ '2': 'AVAILABLE', '1': 'END' });
  }, 120_000);
});

describe('loading', () => {
  it('replays the warmup records before a version is AVAILABLE, and batches concurrent requests', async () => {
    const base = tempDir('warmup');
    await exportVersion(base, 1, { warmupRequests: 3 });
    const lines: string[] = [];
    running = await startServer([modelConfig(base)], {
      logger: jsonLogger((line) => lines.push(line)),
      batching: {
        maxBatchSize: 64,
        batchTimeoutMicros: 20_000,
        maxEnqueuedBatches: 10,
        numBatchThreads: 1,
        allowedBatchSizes: [],
      },
    });
    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.find((event) => event.msg === 'version available')).toMatchObject({
      level: 'info',
      model: 'mnist',
      version: 1,
      warmup_requests: 3,
    });
    const body = JSON.stringify({ instances: [sampleImage(0)] });
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => fetch(`${running!.url}/v1/models/mnist:predict`, { method: 'POST', body })),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    const metrics = await (await fetch(`${running.url}/monitoring/prometheus/metrics`)).text();
    const batches = Number(/mnist_serve_batch_size_count\{model="mnist"\} (\d+)/.exec(metrics)![1]);
    expect(batches).toBeGreaterThan(0);
    expect(batches).toBeLessThan(8);
    expect(metrics).toContain('mnist_serve_batch_queue_depth{model="mnist"} 0');
  }, 120_000);

  it("serves the versions under a model's new base path after a reload, without a gap", async () => {
    const [first, second] = [tempDir('path-a'), tempDir('path-b')];
    await exportVersion(first, 1);
    await exportVersion(second, 2);
    fs.renameSync(path.join(second, '2'), path.join(second, '1'));
    running = await startServer([modelConfig(first)]);
    const score = async () =>
      versionOf(
        (await request(`${running!.url}/v1/models/mnist:predict`, 'POST', { instances: [sampleImage(0)] })).body
          .predictions[0].scores,
      );
    expect(await score()).toBe(1);
    await running.server.reload({ models: [modelConfig(second)] });
    // Version 1 again, but from the new path: the weights exported as version 2.
    expect(await score()).toBe(2);
    expect(await states(running.url)).toEqual({ '1': 'AVAILABLE' });
  }, 120_000);
});

describe('a full batching queue', () => {
  it("answers 503 with TF Serving's message instead of queueing without bound", async () => {
    const base = tempDir('queue');
    await exportVersion(base, 1);
    running = await startServer([modelConfig(base)], {
      batching: {
        maxBatchSize: 1,
        batchTimeoutMicros: 0,
        maxEnqueuedBatches: 1,
        numBatchThreads: 1,
        allowedBatchSizes: [],
      },
    });
    // 32 requests pipelined in one write on one connection, so they reach the server in one read.
    const socket = await connect(running.server.restAddress.port);
    const body = JSON.stringify({ instances: [sampleImage(0)] });
    const raw = Array.from({ length: 32 }, (_, i) => {
      const close = i === 31 ? 'Connection: close\r\n' : '';
      return (
        `POST /v1/models/mnist:predict HTTP/1.1\r\nHost: x\r\n${close}` +
        `Content-Length: ${body.length}\r\n\r\n${body}`
      );
    }).join('');
    const answer = await exchange(socket, raw);
    const statuses = [...answer.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));
    expect(statuses).toHaveLength(32);
    expect(statuses.filter((status) => status === 503).length).toBeGreaterThan(0);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThan(0);
    expect(statuses.every((status) => status === 200 || status === 503)).toBe(true);
    expect(answer).toContain(JSON.stringify({ error: QUEUE_FULL_MESSAGE }));
  }, 120_000);
});

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes raw HTTP/1.1 and reads everything the server answers until it closes the connection. */
function exchange(socket: net.Socket, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.write(raw);
  });
}
