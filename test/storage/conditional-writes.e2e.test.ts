/**
 * The export race on a store that honours `If-None-Match: *` (AWS S3, MinIO): s3rver does not, so
 * a real proxy in front of it enforces the condition (conditional-write-proxy.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveCheckpoint } from '../../src/checkpoint/manager.ts';
import { openModelStore } from '../../src/storage/open-model-store.ts';
import { runCli, userStderr } from '../helpers/cli.ts';
import { sampleMeta, sampleState } from '../checkpoint/fixtures.ts';
import { exportVersion, tempDir } from '../serving/helpers/export-version.ts';
import { startConditionalWriteProxy, type ConditionalWriteProxy } from './conditional-write-proxy.ts';
import { BUCKET, startS3, useS3, type TestS3 } from './s3-server.ts';

let s3: TestS3;
let proxy: ConditionalWriteProxy;
let direct: S3Client;
let proxyEnv: Record<string, string>;

beforeAll(async () => {
  s3 = await startS3();
  useS3(s3);
  direct = new S3Client({ forcePathStyle: true, endpoint: s3.env.AWS_ENDPOINT_URL_S3 });
  proxy = await startConditionalWriteProxy(s3.port, direct);
  proxyEnv = { ...s3.env, AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${proxy.port}` };
  // Before the first store is opened: this process's shared client goes through the proxy.
  Object.assign(process.env, proxyEnv);
});

afterAll(async () => {
  await proxy?.close();
  await s3?.stop();
});

function filesOf(dir: string): string {
  return JSON.stringify(
    fs
      .readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => [
        path.relative(dir, path.join(entry.parentPath, entry.name)),
        fs.readFileSync(path.join(entry.parentPath, entry.name)).toString('base64'),
      ])
      .sort(),
  );
}

async function readBack(base: string, version: number): Promise<string> {
  const dir = tempDir('conditional-read-back');
  await openModelStore(base).readVersion(version, dir);
  return filesOf(dir);
}

async function keys(prefix: string): Promise<string[]> {
  return ((await direct.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? [])
    .map((object) => object.Key!)
    .sort();
}

describe('exports racing for one version on a store with conditional writes', () => {
  it('the loser of an auto-numbered race takes the next number; both versions are whole', async () => {
    const base = `s3://${BUCKET}/race-auto`;
    const references = await Promise.all(
      [21, 22].map(async (seed) => filesOf(await exportVersion(tempDir(`race-ref-${seed}`), 1, { seed }))),
    );
    proxy.race('race-auto/1/mnist-serve-manifest.json', 2);
    const published = await Promise.all([21, 22].map((seed) => exportVersion(base, undefined, { seed })));
    expect(published.sort()).toEqual([`${base}/1`, `${base}/2`]);
    expect(proxy.refused).toContain('race-auto/1/mnist-serve-manifest.json');
    const read = await Promise.all([1, 2].map((version) => readBack(base, version)));
    expect(read.sort()).toEqual([...references].sort());
  }, 120_000);

  it('with --version N, the loser exits 1 in one line and publishes nothing', async () => {
    const base = `s3://${BUCKET}/race-pinned`;
    const checkpoint = saveCheckpoint(tempDir('race-ckpt'), sampleState(1), sampleMeta(1), 1).prefix;
    proxy.race('race-pinned/3/mnist-serve-manifest.json', 2);
    const exportTo = () =>
      runCli(
        [
          'export',
          '--checkpoint',
          checkpoint,
          '--model-base-path',
          base,
          '--version',
          '3',
          '--no-verify',
          '--warmup-requests',
          '0',
        ],
        { env: proxyEnv },
      );
    const results = await Promise.all([exportTo(), exportTo()]);
    expect(results.map((result) => result.code).sort()).toEqual([0, 1]);
    const loser = results.find((result) => result.code === 1)!;
    expect(userStderr(loser.stderr).filter((line) => line.startsWith('mnist-serve:'))).toEqual([
      `mnist-serve: error: ${base}/3: another export claimed this version first; nothing was published`,
    ]);
    expect(await openModelStore(base).listVersions()).toEqual([3]);
    const stored = await keys('race-pinned/');
    expect(stored.every((key) => key.startsWith('race-pinned/3/'))).toBe(true);
    expect(stored).toEqual(
      expect.arrayContaining([
        'race-pinned/3/mnist-serve-manifest.json',
        'race-pinned/3/saved_model.pb',
        'race-pinned/3/variables/variables.index',
      ]),
    );
  }, 180_000);
});
