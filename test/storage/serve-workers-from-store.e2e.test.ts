/**
 * `serve --workers 2 --model-base-path s3://…`: the workers share one cache, so each version is
 * downloaded once per machine (counted by a real proxy in front of s3rver), and both answer.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveLogLines, startServe, waitFor } from '../helpers/serve-process.ts';
import { exportVersion, sampleImage, tempDir } from '../serving/helpers/export-version.ts';
import { startConditionalWriteProxy, type ConditionalWriteProxy } from './conditional-write-proxy.ts';
import { BUCKET, startS3, useS3, type TestS3 } from './s3-server.ts';

let s3: TestS3;
let proxy: ConditionalWriteProxy;
let proxyEnv: Record<string, string>;

beforeAll(async () => {
  s3 = await startS3();
  useS3(s3);
  proxy = await startConditionalWriteProxy(
    s3.port,
    new S3Client({ forcePathStyle: true, endpoint: s3.env.AWS_ENDPOINT_URL_S3 }),
  );
  proxyEnv = { ...s3.env, AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${proxy.port}` };
});

afterAll(async () => {
  await proxy?.close();
  await s3?.stop();
});

/** One request on a connection of its own, so the primary hands each to the next worker. */
function request(url: string, method = 'GET', body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const call = http.request(url, { method, agent: false }, (answer) => {
      let text = '';
      answer.on('data', (chunk) => (text += chunk));
      answer.on('end', () => resolve({ status: answer.statusCode!, body: text }));
    });
    call.on('error', reject);
    call.end(body);
  });
}

const downloads = (key: string) => proxy.requests.filter((line) => line === `GET ${key}`).length;

describe('serve --workers 2 from an s3:// base path', () => {
  it('downloads each version once for both workers, answers from both, and picks up a new version', async () => {
    const base = `s3://${BUCKET}/workers`;
    await exportVersion(base, 1);
    const cache = tempDir('workers-cache');
    const server = await startServe(
      ['--model-base-path', base, '--model-cache-dir', cache, '--file-system-poll-wait-seconds', '1', '--json'],
      { workers: 2, env: proxyEnv },
    );
    try {
      expect(downloads('workers/1/saved_model.pb')).toBe(1);
      expect(downloads('workers/1/variables/variables.data-00000-of-00001')).toBe(1);
      const body = JSON.stringify({ instances: [sampleImage(1)] });
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => request(`${server.url}/v1/models/mnist:predict`, 'POST', body)),
      );
      expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));

      await exportVersion(base, 2);
      // Every connection (each worker) reports version 2 AVAILABLE and 1 gone.
      await waitFor(async () => {
        const statuses = await Promise.all(Array.from({ length: 4 }, () => request(`${server.url}/v1/models/mnist`)));
        return statuses.every((answer) => {
          const versions = (JSON.parse(answer.body) as { model_version_status: { version: string; state: string }[] })
            .model_version_status;
          return versions.length === 1 && versions[0]!.version === '2' && versions[0]!.state === 'AVAILABLE';
        });
      }, 60_000);
      expect(downloads('workers/2/saved_model.pb')).toBe(1);
      const after = await Promise.all(
        Array.from({ length: 8 }, () => request(`${server.url}/v1/models/mnist:predict`, 'POST', body)),
      );
      expect(after.map((answer) => answer.status)).toEqual(Array(8).fill(200));
      // Version 1's cached copy went with its unload; only version 2 is left in the run's cache.
      await waitFor(
        () =>
          fs
            .readdirSync(cache)
            .flatMap((run) =>
              fs.readdirSync(path.join(cache, run)).flatMap((model) => fs.readdirSync(path.join(cache, run, model))),
            )
            .filter((name) => !name.startsWith('.'))
            .join() === '2',
        10_000,
      );
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exit).toBe(0);
    const stopped = serveLogLines(server.stderr()).filter((line) => line.msg === 'server stopped');
    expect(stopped.map((line) => line.worker).sort()).toEqual([1, 2]);
    expect(stopped.every((line) => (line.requests as number) > 0)).toBe(true);
  }, 180_000);
});
