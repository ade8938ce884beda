/**
 * `export --force` replacing the version a running `serve` loaded from a store. The replacement
 * deletes `N/saved_model.pb` first and uploads it last; a real proxy holds that last upload, so
 * the server's polls see the moment when the store has no version N, deterministically.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTf } from '../../src/runtime/tf.ts';
import { waitFor } from '../helpers/serve-process.ts';
import { exportVersion, sampleImage, tempDir } from '../serving/helpers/export-version.ts';
import { modelConfig, request, startServer, type TestServer } from '../serving/helpers/test-server.ts';
import { startConditionalWriteProxy, type ConditionalWriteProxy } from './conditional-write-proxy.ts';
import { BUCKET, startS3, useS3, type TestS3 } from './s3-server.ts';

let s3: TestS3;
let proxy: ConditionalWriteProxy;
let running: TestServer | undefined;

beforeAll(async () => {
  s3 = await startS3();
  useS3(s3);
  proxy = await startConditionalWriteProxy(
    s3.port,
    new S3Client({ forcePathStyle: true, endpoint: s3.env.AWS_ENDPOINT_URL_S3 }),
  );
  // Before the first store is opened: the exports and the server in this process go through the proxy.
  process.env.AWS_ENDPOINT_URL_S3 = `http://127.0.0.1:${proxy.port}`;
});

afterAll(async () => {
  await running?.server.stop();
  await proxy?.close();
  await s3?.stop();
});

async function scoresOf(dir: string): Promise<number[]> {
  const tf = await loadTf();
  const model = await tf.node.loadSavedModel(dir, ['serve'], 'serving_default');
  const out = model.predict({ image: tf.tensor([sampleImage(0)]) }) as Record<
    string,
    import('@tensorflow/tfjs-node').Tensor
  >;
  const scores = Array.from(out.scores!.dataSync());
  model.dispose();
  return scores;
}

const close = (a: number[], b: number[]) => a.every((value, i) => Math.abs(value - b[i]!) < 1e-4);

describe('serve while its only version is replaced with --force on the store', () => {
  it('unloads the version while the store lists none, then loads the replacement under the same number', async () => {
    const original = await scoresOf(await exportVersion(tempDir('force-ref-1'), 1, { seed: 1 }));
    const replacement = await scoresOf(await exportVersion(tempDir('force-ref-9'), 1, { seed: 9 }));
    expect(close(original, replacement)).toBe(false);
    const base = `s3://${BUCKET}/force`;
    await exportVersion(base, 1, { seed: 1 });
    running = await startServer([modelConfig(base)], { pollWaitSeconds: 0.2, modelCacheDir: tempDir('force-cache') });
    const url = running.url;
    const predict = async () =>
      await request(`${url}/v1/models/mnist:predict`, 'POST', { instances: [sampleImage(0)] });
    expect(close((await predict()).body.predictions[0].scores, original)).toBe(true);

    const release = proxy.hold('force/1/saved_model.pb');
    const replaced = exportVersion(base, 1, { seed: 9, force: true });
    // No version 1 on the store: the server takes it out of service, as for any version that disappears.
    await waitFor(async () => (await request(`${url}/readyz`)).status === 503, 60_000);
    expect((await predict()).status).not.toBe(200);
    release();
    await replaced;
    await waitFor(async () => (await request(`${url}/readyz`)).status === 200, 60_000);
    expect(close((await predict()).body.predictions[0].scores, replacement)).toBe(true);
  }, 180_000);
});
