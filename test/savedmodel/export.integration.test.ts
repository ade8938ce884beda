import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { OperationalError, UserInputError } from '../../src/errors.ts';
import { loadTf } from '../../src/runtime/tf.ts';
import { decodeMessage } from '../../src/formats/proto/index.ts';
import { decodeTFRecords } from '../../src/formats/tfrecord.ts';
import { gatherBatch } from '../../src/data/batches.ts';
import { defaultModelSpec } from '../../src/model/spec.ts';
import { exportSavedModel, type ExportRequest } from '../../src/savedmodel/export.ts';
import { listVersions, nextVersion, removeAbandonedStaging } from '../../src/storage/versions.ts';
import { verifySavedModel } from '../../src/savedmodel/verify.ts';
import { writeSavedModel } from '../../src/savedmodel/writer.ts';
import { classIndexDecodedContent, fixtureWeights, syntheticSplit, tempDir } from './fixtures.ts';

const spec = defaultModelSpec();
const weights = fixtureWeights(spec);
const test = syntheticSplit(80);

function request(basePath: string, overrides: Partial<ExportRequest> = {}): ExportRequest {
  return {
    spec,
    weights,
    basePath,
    modelName: 'mnist',
    signatureNames: { main: 'serving_default', decoded: 'predict_classes' },
    verify: false,
    warmupRequests: 0,
    test,
    loadTf,
    ...overrides,
  };
}

describe('exportSavedModel', () => {
  it('verifies the staged SavedModel through tf.node.loadSavedModel against forward() before publishing', async () => {
    const base = tempDir('export');
    const tf = await loadTf();
    const tensorsBefore = tf.memory().numTensors;
    const result = await exportSavedModel(request(base, { verify: true, minAccuracy: 0 }));
    expect(tf.memory().numTensors, 'tensors left behind by verification').toBe(tensorsBefore);
    expect(result.version).toBe(1);
    expect(result.path).toBe(path.join(base, '1'));
    expect(result.verification).toMatchObject({
      images: 64,
      tolerance: 1e-5,
      classesAgree: true,
      passed: true,
      signatures: ['serving_default', 'predict_classes'],
    });
    expect(result.verification!.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    expect(result.accuracy).toMatchObject({ samples: 80, minimum: 0 });
    expect(fs.readdirSync(base)).toEqual(['1']);
  }, 60_000);

  it('predicts through the published SavedModel as forward() does', async () => {
    const tf = await loadTf();
    const { forward } = await import('../../src/model/forward.ts');
    const { variableSpecs } = await import('../../src/model/spec.ts');
    const { path: dir } = await exportSavedModel(request(tempDir('export')));
    const batch = gatherBatch(test, null, 0, 16);
    const images = tf.tensor4d(batch.images, [16, 28, 28, 1]);
    const shapes = new Map(variableSpecs(spec).map((v) => [v.name, v.shape]));
    const expected = forward(tf, spec, (n) => tf.tensor(weights.get(n)!, shapes.get(n)!), images);
    const model = await tf.node.loadSavedModel(dir, ['serve'], 'serving_default');
    const outputs = model.predict({ image: images }) as Record<string, import('@tensorflow/tfjs-node').Tensor>;
    expect(tf.max(tf.abs(tf.sub(outputs.scores!, expected))).dataSync()[0]).toBeLessThanOrEqual(1e-5);
    expect(Array.from(outputs.classes!.dataSync() as unknown as BigInt64Array, Number)).toEqual(
      Array.from(tf.argMax(expected, -1).dataSync()),
    );
    model.dispose();
    // The notebook's signature: decoded is the output layer itself, float32 [N, 10].
    const notebook = await tf.node.loadSavedModel(dir, ['serve'], 'predict_classes');
    const decoded = (notebook.predict({ image: images }) as Record<string, import('@tensorflow/tfjs-node').Tensor>)
      .decoded!;
    expect([decoded.dtype, decoded.shape]).toEqual(['float32', [16, 10]]);
    expect(tf.max(tf.abs(tf.sub(decoded, expected))).dataSync()[0]).toBeLessThanOrEqual(1e-5);
    notebook.dispose();
  }, 60_000);

  it('numbers versions after the highest integer directory, ignoring staging and other names', async () => {
    const base = tempDir('versions');
    for (const name of ['3', '10', '.11.tmp-1-1', 'notes', '007x']) fs.mkdirSync(path.join(base, name));
    expect(listVersions(base)).toEqual([3, 10]);
    expect(nextVersion(base)).toBe(11);
    expect((await exportSavedModel(request(base))).version).toBe(11);
  });

  it('fails verification when decoded is not the scores (a SavedModel with the class-index mapping)', async () => {
    const tf = await loadTf();
    const dir = tempDir('class-index');
    writeSavedModel(dir, classIndexDecodedContent(spec, weights));
    const batch = gatherBatch(test, null, 0, 8);
    const result = await verifySavedModel(tf, dir, spec, weights, batch.images, batch.count, {
      main: 'serving_default',
      decoded: 'predict_classes',
    });
    expect(result).toMatchObject({ passed: false, classesAgree: true, maxAbsDiff: Number.POSITIVE_INFINITY });
  }, 60_000);

  it('removes only version staging directories whose process is gone', async () => {
    const base = tempDir('abandoned');
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    const names = [`.3.tmp-${deadPid}-1`, `.3.tmp-${process.pid}-9`, `.notes.tmp-${deadPid}-1`, '.4.tmp-x-1', '3'];
    for (const name of names) fs.mkdirSync(path.join(base, name));
    fs.writeFileSync(path.join(base, `.5.tmp-${deadPid}-2`), 'a file, not a staging directory');
    expect(removeAbandonedStaging(base)).toEqual({ removed: [path.join(base, `.3.tmp-${deadPid}-1`)], failed: [] });
    expect(fs.readdirSync(base).sort()).toEqual([...names.slice(1), `.5.tmp-${deadPid}-2`].sort());
    expect(removeAbandonedStaging(path.join(base, 'missing'))).toEqual({ removed: [], failed: [] });
  });

  it('refuses an existing version without force and swaps it atomically with force', async () => {
    const base = tempDir('force');
    await exportSavedModel(request(base, { version: 2 }));
    fs.writeFileSync(path.join(base, '2', 'marker'), 'old');
    await expect(exportSavedModel(request(base, { version: 2 }))).rejects.toThrow(UserInputError);
    await expect(exportSavedModel(request(base, { version: 2 }))).rejects.toThrow(
      `${path.join(base, '2')} already exists; pass force`,
    );
    expect(fs.existsSync(path.join(base, '2', 'marker'))).toBe(true);
    const replaced = await exportSavedModel(request(base, { version: 2, force: true }));
    expect(replaced.replaced).toBe(true);
    expect(fs.existsSync(path.join(base, '2', 'marker'))).toBe(false);
    expect(fs.readdirSync(base)).toEqual(['2']);
  });

  it('leaves no BASE/N and no staging directory when a failure strikes mid-export', async () => {
    const base = tempDir('fail');
    // The accuracy gate fails after the SavedModel is written and verified in staging.
    await expect(exportSavedModel(request(base, { version: 4, verify: true, minAccuracy: 1 }))).rejects.toThrow(
      OperationalError,
    );
    expect(fs.readdirSync(base)).toEqual([]);
    // A weight missing for the graph fails before anything is written.
    const partial = new Map(weights);
    partial.delete('dense_1/bias');
    await expect(exportSavedModel(request(base, { version: 4, weights: partial }))).rejects.toThrow(
      /no weights for variable dense_1\/bias/,
    );
    expect(fs.readdirSync(base)).toEqual([]);
  }, 60_000);

  it('puts the old version back when the rename that publishes a forced replacement fails', async () => {
    const base = tempDir('force-rename');
    await exportSavedModel(request(base, { version: 1 }));
    const finalDir = path.join(base, '1');
    const before = fs.readFileSync(path.join(finalDir, 'saved_model.pb'));
    const realRename = fs.renameSync;
    let failed = false;
    // Fails the rename of the staged version into place, once: the old one has just been moved aside.
    const rename = vi.spyOn(fs, 'renameSync').mockImplementation((from, to) => {
      if (!failed && to === finalDir && !fs.existsSync(finalDir)) {
        failed = true;
        throw Object.assign(new Error(`EIO: i/o error, rename '${String(from)}' -> '${finalDir}'`), { code: 'EIO' });
      }
      realRename(from, to);
    });
    try {
      await expect(exportSavedModel(request(base, { version: 1, force: true }))).rejects.toThrow(
        `${finalDir}: cannot write it (EIO: i/o error)`,
      );
    } finally {
      rename.mockRestore();
    }
    expect(fs.readdirSync(base)).toEqual(['1']);
    expect(fs.readFileSync(path.join(finalDir, 'saved_model.pb'))).toEqual(before);
  });

  it('keeps the old version intact when a forced replacement fails', async () => {
    const base = tempDir('force-fail');
    await exportSavedModel(request(base, { version: 1 }));
    const before = fs.readFileSync(path.join(base, '1', 'saved_model.pb'));
    await expect(
      exportSavedModel(request(base, { version: 1, force: true, verify: true, minAccuracy: 1 })),
    ).rejects.toThrow(/below minAccuracy=1/);
    expect(fs.readdirSync(base)).toEqual(['1']);
    expect(fs.readFileSync(path.join(base, '1', 'saved_model.pb'))).toEqual(before);
  }, 60_000);

  it(
    'writes TF Serving warmup records: ' + 'one PredictRequest per test image, alternating the two signatures',
    async () => {
      const result = await exportSavedModel(request(tempDir('warmup'), { warmupRequests: 3, modelName: 'digits' }));
      expect(result.warmup).toEqual({
        requests: 3,
        file: path.join(result.path, 'assets.extra', 'tf_serving_warmup_requests'),
        signatures: ['serving_default', 'predict_classes'],
      });
      const records = decodeTFRecords(fs.readFileSync(result.warmup!.file), result.warmup!.file);
      expect(records).toHaveLength(3);
      const requests = records.map(
        (record) => decodeMessage<any>('tensorflow.serving.PredictionLog', record).predict_log.request,
      );
      expect(requests.map((r) => r.model_spec)).toEqual([
        { name: 'digits', signature_name: 'serving_default' },
        { name: 'digits', signature_name: 'predict_classes' },
        { name: 'digits', signature_name: 'serving_default' },
      ]);
      const request2 = requests[2];
      expect(request2.inputs.image.dtype).toBe('DT_FLOAT');
      expect(request2.inputs.image.tensor_shape).toEqual({
        dim: [{ size: 1 }, { size: 28 }, { size: 28 }, { size: 1 }],
      });
      const pixels = new Float32Array(new Uint8Array(request2.inputs.image.tensor_content).buffer);
      expect(Array.from(pixels)).toEqual(Array.from(gatherBatch(test, null, 2, 1).images));
    },
  );

  it('rejects bad settings as usage errors', async () => {
    const base = tempDir('bad');
    await expect(exportSavedModel(request(base, { minAccuracy: 1.5 }))).rejects.toThrow(
      'minAccuracy must be between 0 and 1, got 1.5',
    );
    await expect(exportSavedModel(request(base, { warmupRequests: 1001 }))).rejects.toThrow(
      /warmupRequests must be an integer from 0 to 1000/,
    );
    await expect(
      exportSavedModel(request(base, { signatureNames: { main: 'predict_classes', decoded: 'predict_classes' } })),
    ).rejects.toThrow(UserInputError);
    await expect(exportSavedModel(request(base, { verify: true, test: undefined }))).rejects.toThrow(
      /need test images/,
    );
    expect(fs.readdirSync(base)).toEqual([]);
  });
});
