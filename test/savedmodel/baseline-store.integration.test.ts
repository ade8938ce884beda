/**
 * The baseline gate over an object store: `latest`, N and an s3:// version URI are read from the
 * store (a real S3-compatible server, s3rver), evaluated from a temporary local copy, and the copy
 * is removed afterwards.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Split } from '../../src/data/types.ts';
import { loadTf } from '../../src/runtime/tf.ts';
import { defaultModelSpec } from '../../src/model/spec.ts';
import { fetchBaseline, releaseBaseline } from '../../src/savedmodel/baseline-gate.ts';
import { exportSavedModel, type ExportRequest } from '../../src/savedmodel/export.ts';
import { savedModelPredictions, scoringSignature } from '../../src/savedmodel/predictions.ts';
import { DEFAULT_SIGNATURE_NAME, PREDICT_CLASSES_SIGNATURE_NAME } from '../../src/formats/tensorflow/constants.ts';
import { openModelStore } from '../../src/storage/open-model-store.ts';
import { BUCKET, startS3, useS3, type TestS3 } from '../storage/s3-server.ts';
import { fixtureWeights, syntheticSplit } from './fixtures.ts';

const spec = defaultModelSpec();
let s3: TestS3;

beforeAll(async () => {
  s3 = await startS3();
  useS3(s3);
});

afterAll(async () => {
  await s3?.stop();
});

function exportRequest(basePath: string, seed: number, test: Split, baselineRef?: string): ExportRequest {
  return {
    spec,
    weights: fixtureWeights(spec, seed),
    basePath,
    modelName: 'mnist',
    signatureNames: { main: DEFAULT_SIGNATURE_NAME, decoded: PREDICT_CLASSES_SIGNATURE_NAME },
    verify: false,
    baseline: baselineRef === undefined ? undefined : { ref: baselineRef, maxRegression: 0 },
    warmupRequests: 0,
    test,
    loadTf,
  };
}

describe('fetchBaseline on an s3:// base path', () => {
  it('copies latest, a version number and a version URI from the store, and releases the copies', async () => {
    const base = `s3://${BUCKET}/fetch`;
    const split = syntheticSplit(8);
    for (const seed of [1, 2]) await exportSavedModel(exportRequest(base, seed, split));

    const latest = await fetchBaseline({ ref: 'latest', maxRegression: 0 }, base);
    expect(latest).toMatchObject({ ref: 'latest', version: 2, storedAt: `${base}/2` });
    expect(fs.readdirSync(latest.dir!).sort()).toEqual(['saved_model.pb', 'variables']);
    const first = await fetchBaseline({ ref: '1', maxRegression: 0 }, base);
    const byUri = await fetchBaseline({ ref: `${base}/1`, maxRegression: 0 }, '/unused');
    expect(byUri).toMatchObject({ version: null, storedAt: `${base}/1` });
    for (const copy of [latest, first, byUri]) {
      releaseBaseline(copy);
      expect(fs.existsSync(copy.dir!)).toBe(false);
    }
  });

  it('finds no baseline under an empty prefix, and names a missing version by its URI', async () => {
    const base = `s3://${BUCKET}/empty`;
    expect(await fetchBaseline({ ref: 'latest', maxRegression: 0 }, base)).toEqual({
      ref: 'latest',
      version: null,
      dir: null,
    });
    await expect(fetchBaseline({ ref: '3', maxRegression: 0 }, base)).rejects.toThrow(
      `baseline 3: version 3 does not exist (${base}/3)`,
    );
  });
});

describe('export --baseline latest to an s3:// base path', () => {
  it(
    'publishes a candidate as good as the version on the store, ' + 'and refuses a worse one without publishing',
    async () => {
      const base = `s3://${BUCKET}/gate`;
      const unlabelled = syntheticSplit(60);
      await exportSavedModel(exportRequest(base, 7, unlabelled));
      // Labels are version 1's answers, so it scores 100% and any disagreement is a broken image.
      const stored = await fetchBaseline({ ref: '1', maxRegression: 0 }, base);
      const answers = await savedModelPredictions(
        await loadTf(),
        stored.dir!,
        scoringSignature(stored.dir!),
        unlabelled,
      );
      releaseBaseline(stored);
      const split: Split = { ...unlabelled, labels: Uint8Array.from(answers.classes) };

      const same = await exportSavedModel(exportRequest(base, 7, split, 'latest'));
      expect(same.version).toBe(2);
      expect(same.gate).toMatchObject({
        baseline: { ref: 'latest', version: 1, path: `${base}/1`, accuracy: 1 },
        broken: 0,
        passed: true,
      });

      await expect(exportSavedModel(exportRequest(base, 8, split, 'latest'))).rejects.toThrow(
        new RegExp(
          '^candidate accuracy 0\\.\\d{4} is below baseline accuracy 1\\.0000 ' +
            `\\(version 2, latest\\) .*; ${base} was not published$`,
        ),
      );
      await expect(
        exportSavedModel(exportRequest(base, 8, split, 'latest')),
        'the refusal carries the comparison for --json',
      ).rejects.toMatchObject({
        details: { gate: { baseline: { version: 2, path: `${base}/2` }, passed: false } },
      });
      expect(await openModelStore(base).listVersions()).toEqual([1, 2]);
    },
  );
});
