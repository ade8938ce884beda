import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadTf } from '../../src/runtime/tf.ts';
import { jsonLogger } from '../../src/serving/monitoring/logger.ts';
import { waitFor } from '../helpers/serve-process.ts';
import { exportVersion, sampleImage, tempDir } from '../serving/helpers/export-version.ts';
import { modelConfig, request, startServer, type TestServer } from '../serving/helpers/test-server.ts';
import { BUCKET, startS3, useS3, type TestS3 } from './s3-server.ts';

let s3: TestS3;
let running: TestServer | undefined;
const expectedScores = new Map<number, number[]>();

beforeAll(async () => {
  s3 = await startS3();
  useS3(s3);
  const tf = await loadTf();
  for (const version of [1, 2]) {
    const model = await tf.node.loadSavedModel(
      await exportVersion(tempDir('store-reference'), version),
      ['serve'],
      'serving_default',
    );
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

afterAll(async () => {
  await s3?.stop();
});

function versionOf(scores: number[]): number | undefined {
  for (const [version, wanted] of expectedScores)
    if (wanted.every((value, i) => Math.abs(value - scores[i]!) < 1e-4)) return version;
  return undefined;
}

const states = async (url: string) =>
  Object.fromEntries(
    ((await request(`${url}/v1/models/mnist`)).body?.model_version_status ?? []).map(
      (s: { version: string; state: string }) => [s.version, s.state],
    ),
  );

describe('serve from an s3:// base path', () => {
  it('swaps 32 busy connections to a version exported to the store, ' +
    'with no failed request, and drops the old copy from the cache', async () => {
    const base = `s3://${BUCKET}/swap`;
    const cache = tempDir('store-cache');
    await exportVersion(base, 1);
    running = await startServer([modelConfig(base)], { pollWaitSeconds: 0.2, modelCacheDir: cache });
    const url = running.url;
    const body = JSON.stringify({ instances: [sampleImage(0)] });
    const answers: { status: number; version: number | undefined }[] = [];
    let exported: Promise<string> | undefined;
    let swapped = false;
    const client = async () => {
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
    await Promise.all([...Array.from({ length: 32 }, client), watcher]);
    await exported;
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    expect(answers.filter((answer) => answer.version === undefined)).toEqual([]);
    expect(answers.some((answer) => answer.version === 1) && answers.some((answer) => answer.version === 2)).toBe(true);
    expect(await states(url)).toEqual({ '2': 'AVAILABLE', '1': 'END' });
    const [cached] = fs.readdirSync(cache);
    expect(fs.readdirSync(`${cache}/${cached}`)).toEqual(['2']);
  }, 180_000);

  it('keeps serving while the store is down, logs and counts each failing poll, ' +
    'and picks up a new version once it is back', async () => {
    const base = `s3://${BUCKET}/outage`;
    await exportVersion(base, 1);
    const lines: Record<string, unknown>[] = [];
    running = await startServer([modelConfig(base)], {
      pollWaitSeconds: 0.2,
      modelCacheDir: tempDir('outage-cache'),
      logger: jsonLogger((line) => lines.push(JSON.parse(line))),
    });
    const url = running.url;
    await s3.stop();
    const failures = () => lines.filter((line) => line.msg === 'cannot poll the base path');
    await waitFor(() => failures().length >= 3, 30_000);
    expect(failures().length).toBeGreaterThanOrEqual(3);
    expect(failures()[0]).toMatchObject({ level: 'error', model: 'mnist', base_path: base });
    expect(String(failures()[0]!.error)).toMatch(new RegExp(`^${base}: cannot list versions \\(.*ECONNREFUSED`));
    const answer = await request(`${url}/v1/models/mnist:predict`, 'POST', { instances: [sampleImage(0)] });
    expect(answer.status).toBe(200);
    const metrics = await (await fetch(`${url}/monitoring/prometheus/metrics`)).text();
    expect(Number(/mnist_serve_storage_errors_total\{model="mnist"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(
      3,
    );

    await s3.restart();
    await exportVersion(base, 2);
    await waitFor(async () => (await states(url))['2'] === 'AVAILABLE', 60_000);
    expect(await states(url)).toEqual({ '2': 'AVAILABLE', '1': 'END' });
  }, 120_000);
});
