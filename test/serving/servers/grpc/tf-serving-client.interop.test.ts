/**
 * The proof of wire compatibility: TF Serving's own Python client (the stubs of pip
 * `tensorflow-serving-api`, with tf.make_tensor_proto) talks to the real `mnist-serve serve`
 * over gRPC and must get what TensorFlow itself computes from the same SavedModel.
 * Skipped, even under MNIST_SERVE_REQUIRE_PYTHON_TF=1, where that package cannot be installed:
 * the local pip index CI uses does not carry it, and the setup script's install is best-effort.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizedImage } from '../../../../src/data/batches.ts';
import { loadEmbeddedMnist } from '../../../../src/data/embedded-mnist.ts';
import { runPython } from '../../../../src/runtime/python-tf.ts';
import { pythonTf } from '../../../helpers/python-tf.ts';
import { startServe, type RunningServe } from '../../../helpers/serve-process.ts';
import { exportVersion, tempDir } from '../../helpers/export-version.ts';

const CLIENT_SCRIPT = fs.readFileSync(
  path.join(path.dirname(fileURLToPath(import.meta.url)), 'tf_serving_client.py'),
  'utf8',
);
const IMAGE_COUNT = 5;

/** Whether the Python that has TensorFlow also has TF Serving's stubs (`npm run setup:python-tf`). */
function hasServingApi(): boolean {
  if (!pythonTf) return false;
  const result = spawnSync(pythonTf.python, ['-c', 'import tensorflow_serving.apis.prediction_service_pb2_grpc'], {
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
    timeout: 120_000,
  });
  return result.status === 0;
}

const noServingApi = !hasServingApi();

interface ServedTensor {
  dtype: string;
  shape: number[];
  values: number[];
}
interface Prediction {
  model_spec: { name: string; version: number | null; signature_name: string };
  outputs: Record<string, ServedTensor>;
}
interface ClientReport {
  default: Prediction;
  serving_default: Prediction;
  predict_classes: Prediction;
  reference: { scores: number[]; classes: number[]; decoded: number[] };
  metadata: {
    model_spec: Prediction['model_spec'];
    type_url: string;
    unpacked: boolean;
    signatures: string[];
    on_disk_signatures: string[];
    mismatched: string[];
  };
  status: { version: number; state: string; error_code: number }[];
  unknown_model: { code: string; details: string } | null;
  unknown_version: { code: string; details: string } | null;
}

function maxAbsDiff(a: number[], b: number[]): number {
  expect(a).toHaveLength(b.length);
  return Math.max(...a.map((value, i) => Math.abs(value - b[i]!)));
}

describe.skipIf(noServingApi)(
  'a TF Serving Python gRPC client against mnist-serve serve (needs tensorflow-serving-api: npm run setup:python-tf)',
  () => {
    let serve: RunningServe;
    let report: ClientReport;

    beforeAll(async () => {
      const base = tempDir('tf-serving-client');
      const versionDir = await exportVersion(base, 3);
      const test = loadEmbeddedMnist(0).test;
      const images = Buffer.concat(
        Array.from({ length: IMAGE_COUNT }, (_, i) => Buffer.from(normalizedImage(test, i).buffer)),
      );
      const imagesFile = path.join(tempDir('tf-serving-client-images'), 'images.f32');
      fs.writeFileSync(imagesFile, images);
      serve = await startServe(['--model-base-path', base], { grpc: true });
      const stdout = runPython(CLIENT_SCRIPT, [serve.grpcAddress!, 'mnist', '3', versionDir, imagesFile]);
      report = JSON.parse(stdout.trim().split('\n').pop()!) as ClientReport;
    }, 300_000);

    afterAll(async () => {
      if (serve && serve.child.exitCode === null) {
        serve.child.kill('SIGTERM');
        await serve.exit;
      }
    });

    it('Predict by version answers with the scores and classes TensorFlow computes from the same SavedModel', () => {
      for (const prediction of [report.default, report.serving_default]) {
        expect(prediction.model_spec).toEqual({ name: 'mnist', version: 3, signature_name: 'serving_default' });
        const { scores, classes } = prediction.outputs;
        expect(scores).toMatchObject({ dtype: 'float32', shape: [IMAGE_COUNT, 10] });
        expect(classes).toMatchObject({ dtype: 'int64', shape: [IMAGE_COUNT] });
        expect(maxAbsDiff(scores!.values, report.reference.scores)).toBeLessThanOrEqual(1e-5);
        expect(classes!.values).toEqual(report.reference.classes);
      }
    });

    it('Predict with signature_name predict_classes answers the ten scores TensorFlow decodes', () => {
      expect(report.predict_classes.model_spec).toEqual({
        name: 'mnist',
        version: 3,
        signature_name: 'predict_classes',
      });
      expect(Object.keys(report.predict_classes.outputs)).toEqual(['decoded']);
      expect(report.predict_classes.outputs.decoded).toMatchObject({ dtype: 'float32', shape: [IMAGE_COUNT, 10] });
      expect(maxAbsDiff(report.predict_classes.outputs.decoded!.values, report.reference.decoded)).toBeLessThanOrEqual(
        1e-5,
      );
      expect(maxAbsDiff(report.reference.decoded, report.reference.scores)).toBe(0);
    });

    it('GetModelMetadata returns a SignatureDefMap equal to the signature defs in saved_model.pb', () => {
      const { metadata } = report;
      expect(metadata.model_spec).toMatchObject({ name: 'mnist', version: 3 });
      expect(metadata.type_url).toBe('type.googleapis.com/tensorflow.serving.SignatureDefMap');
      expect(metadata.unpacked).toBe(true);
      expect(metadata.signatures).toEqual(metadata.on_disk_signatures);
      expect(metadata.signatures).toEqual(expect.arrayContaining(['predict_classes', 'serving_default']));
      expect(metadata.mismatched).toEqual([]);
    });

    it('GetModelStatus reports the version AVAILABLE with an OK status', () => {
      expect(report.status).toEqual([{ version: 3, state: 'AVAILABLE', error_code: 0 }]);
    });

    it('an unknown model or version is grpc.StatusCode.NOT_FOUND with a message naming it', () => {
      expect(report.unknown_model?.code).toBe('NOT_FOUND');
      expect(report.unknown_model?.details).toContain('no-such-model');
      expect(report.unknown_version?.code).toBe('NOT_FOUND');
      expect(report.unknown_version?.details).toContain('99');
    });
  },
);
