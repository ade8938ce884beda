import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTf } from '../../src/runtime/tf.ts';
import { UserInputError } from '../../src/errors.ts';
import { openModelStore } from '../../src/storage/open-model-store.ts';
import { projectRoot } from '../helpers/cli.ts';
import { waitFor } from '../helpers/serve-process.ts';
import { exportVersion, sampleImage, tempDir } from '../serving/helpers/export-version.ts';
import { BUCKET, startS3, useS3, type TestS3 } from './s3-server.ts';

let s3: TestS3;
let raw: S3Client;

beforeAll(async () => {
  s3 = await startS3();
  useS3(s3);
  raw = new S3Client({ forcePathStyle: true });
});

afterAll(async () => {
  await s3?.stop();
});

/** Every file of a version directory, path → bytes. */
function filesOf(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile())
      files.set(
        path.relative(dir, path.join(entry.parentPath, entry.name)),
        fs.readFileSync(path.join(entry.parentPath, entry.name)).toString('base64'),
      );
  }
  return files;
}

async function readBack(base: string, version: number): Promise<string> {
  const dir = tempDir('read-back');
  await openModelStore(base).readVersion(version, dir);
  return dir;
}

async function keys(prefix: string): Promise<string[]> {
  return ((await raw.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map(
    (object) => object.Key!,
  );
}

describe('the S3 model store', () => {
  it(
    'publishes an export under s3://, byte for byte as a local export, ' + 'and TensorFlow loads the version read back',
    async () => {
      const base = `s3://${BUCKET}/load`;
      expect(await exportVersion(base, 1)).toBe(`${base}/1`);
      expect(await openModelStore(base).listVersions()).toEqual([1]);
      const local = await exportVersion(tempDir('local'), 1);
      const dir = await readBack(base, 1);
      expect(filesOf(dir)).toEqual(filesOf(local));
      const tf = await loadTf();
      const model = await tf.node.loadSavedModel(dir, ['serve'], 'serving_default');
      const scores = (
        model.predict({ image: tf.tensor([sampleImage(0)]) }) as Record<string, import('@tensorflow/tfjs-node').Tensor>
      ).scores!;
      expect(scores.shape).toEqual([1, 10]);
      model.dispose();
      // saved_model.pb went last, after the manifest claimed the version.
      expect((await keys('load/1/')).sort()).toEqual([
        'load/1/assets.extra/tf_serving_warmup_requests',
        'load/1/mnist-serve-manifest.json',
        'load/1/saved_model.pb',
        'load/1/variables/variables.data-00000-of-00001',
        'load/1/variables/variables.index',
      ]);
    },
  );

  it(
    'numbers versions by listing the store, ' +
      'refuses an existing one without --force, and replaces it whole with it',
    async () => {
      const base = `s3://${BUCKET}/numbering`;
      expect(await exportVersion(base, undefined, { seed: 1 })).toBe(`${base}/1`);
      expect(await exportVersion(base, undefined, { seed: 2 })).toBe(`${base}/2`);
      await expect(exportVersion(base, 2, { seed: 3 })).rejects.toThrow(UserInputError);
      await expect(exportVersion(base, 2, { seed: 3 })).rejects.toThrow(`${base}/2 already exists; pass force`);
      await exportVersion(base, 2, { seed: 3, force: true });
      expect(filesOf(await readBack(base, 2))).toEqual(filesOf(await exportVersion(tempDir('seed-3'), 1, { seed: 3 })));
      expect(await openModelStore(base).listVersions()).toEqual([1, 2]);
    },
  );

  it(
    'never lets a reader load a mix of two exports racing ' + 'for one version on a store that ignores If-None-Match',
    async () => {
      const base = `s3://${BUCKET}/race`;
      const references = await Promise.all([11, 12].map((seed) => exportVersion(tempDir(`race-${seed}`), 1, { seed })));
      await Promise.all([exportVersion(base, undefined, { seed: 11 }), exportVersion(base, undefined, { seed: 12 })]);
      for (const version of await openModelStore(base).listVersions()) {
        const read = await readBack(base, version).then(filesOf, (error: Error) => error);
        if (read instanceof Error)
          expect(read.message).toMatch(/does not match the version's manifest|is \d+ bytes, expected/);
        else expect(references.map((dir) => JSON.stringify([...filesOf(dir)]))).toContain(JSON.stringify([...read]));
      }
    },
  );

  it('leaves no version a reader would load when the exporting process is killed (-9) during its upload', async () => {
    const base = `s3://${BUCKET}/killed`;
    const source = await exportVersion(tempDir('killed-source'), 1);
    for (const [round, delayMs] of [0, 300, 800].entries()) {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(projectRoot, 'test', 'storage', 'publish-until-killed.ts'), base, source],
        { env: { ...process.env, ...s3.env }, stdio: 'ignore' },
      );
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_code, signal) => resolve(signal)),
      );
      await waitFor(async () => (await keys(`killed/${round + 1}/`)).length > 0, 30_000);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      expect(await keys(`killed/${round + 1}/saved_model.pb`)).toEqual([]);
    }
    expect(await openModelStore(base).listVersions()).toEqual([]);
    // The abandoned numbers stay claimed: the next export takes the one after them.
    expect(await exportVersion(base, undefined, { seed: 5 })).toBe(`${base}/4`);
    expect(await openModelStore(base).listVersions()).toEqual([4]);
  }, 120_000);
});
