import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadTf } from '../../src/runtime/tf.ts';
import { runPython } from '../../src/runtime/python-tf.ts';
import { gatherBatch } from '../../src/data/batches.ts';
import { forward } from '../../src/model/forward.ts';
import { defaultModelSpec, variableSpecs } from '../../src/model/spec.ts';
import { exportSavedModel } from '../../src/savedmodel/export.ts';
import { noPythonTf, pythonTf } from '../helpers/python-tf.ts';
import { runCli } from '../helpers/cli.ts';
import { fixtureWeights, syntheticSplit, tempDir } from './fixtures.ts';

const spec = defaultModelSpec();
const weights = fixtureWeights(spec, 11);
const test = syntheticSplit(12);

/** Runs both TF2 signatures and the TF1 loader on our SavedModel; prints one JSON object. */
const LOAD_SCRIPT = `
import json, sys, numpy as np, tensorflow as tf
model_dir, images_file = sys.argv[1], sys.argv[2]
images = np.fromfile(images_file, dtype='<f4').reshape(-1, 28, 28, 1)
loaded = tf.saved_model.load(model_dir)
main = loaded.signatures['serving_default'](image=tf.constant(images))
decoded = loaded.signatures['predict_classes'](image=tf.constant(images))
with tf.compat.v1.Session(graph=tf.Graph()) as sess:
    tf.compat.v1.saved_model.loader.load(sess, ['serve'], model_dir)
    names = [v.decode() for v in sess.run('save/RestoreV2/tensor_names:0')]
    restored = {n: sess.run(n + '/Read/ReadVariableOp:0').ravel().tolist() for n in names}
print(json.dumps({
  'signatures': sorted(loaded.signatures.keys()),
  'scores': main['scores'].numpy().ravel().tolist(),
  'classes': main['classes'].numpy().tolist(),
  'classes_dtype': main['classes'].dtype.name,
  'decoded': decoded['decoded'].numpy().ravel().tolist(),
  'decoded_dtype': decoded['decoded'].dtype.name,
  'decoded_shape': list(decoded['decoded'].shape),
  'restored': restored,
}))
`;

describe.skipIf(noPythonTf)(
  'our SavedModel in Python TensorFlow (needs Python TensorFlow: npm run setup:python-tf)',
  () => {
    it('loads through tf.saved_model.load and the TF1 loader with our predictions and weights', async () => {
      const { path: dir } = await exportSavedModel({
        spec,
        weights,
        basePath: tempDir('py'),
        modelName: 'mnist',
        signatureNames: { main: 'serving_default', decoded: 'predict_classes' },
        verify: false,
        warmupRequests: 0,
        test,
        loadTf,
      });
      const batch = gatherBatch(test, null, 0, test.count);
      const imagesFile = path.join(tempDir('images'), 'images.f32');
      fs.writeFileSync(imagesFile, batch.images);
      const result = JSON.parse(runPython(LOAD_SCRIPT, [dir, imagesFile]).trim().split('\n').pop()!);

      const tf = await loadTf();
      const shapes = new Map(variableSpecs(spec).map((v) => [v.name, v.shape]));
      const expected = forward(
        tf,
        spec,
        (n) => tf.tensor(weights.get(n)!, shapes.get(n)!),
        tf.tensor4d(batch.images, [batch.count, 28, 28, 1]),
      );
      const expectedScores = Array.from(expected.dataSync());
      const expectedClasses = Array.from(tf.argMax(expected, -1).dataSync());

      expect(result.signatures).toEqual(['predict_classes', 'serving_default']);
      expect(result.scores).toHaveLength(expectedScores.length);
      expect(
        Math.max(...result.scores.map((s: number, i: number) => Math.abs(s - expectedScores[i]!))),
      ).toBeLessThanOrEqual(1e-5);
      expect(result.classes).toEqual(expectedClasses);
      expect(result.classes_dtype).toBe('int64');
      // The notebook's contract: decoded is the output layer, float32 [N, 10].
      expect([result.decoded_dtype, result.decoded_shape]).toEqual(['float32', [test.count, 10]]);
      expect(
        Math.max(...result.decoded.map((s: number, i: number) => Math.abs(s - expectedScores[i]!))),
      ).toBeLessThanOrEqual(1e-5);
      expect(Object.keys(result.restored).sort()).toEqual([...weights.keys()].sort());
      for (const [name, values] of weights) expect(result.restored[name]).toEqual(Array.from(values));
    }, 180_000);

    it('is described by saved_model_cli show --all with both signatures', async () => {
      const { path: dir } = await exportSavedModel({
        spec,
        weights,
        basePath: tempDir('cli'),
        modelName: 'mnist',
        signatureNames: { main: 'serving_default', decoded: 'predict_classes' },
        verify: false,
        warmupRequests: 0,
        test,
        loadTf,
      });
      const cli = path.join(path.dirname(pythonTf!.python), 'saved_model_cli');
      const shown = spawnSync(fs.existsSync(cli) ? cli : 'saved_model_cli', ['show', '--dir', dir, '--all'], {
        encoding: 'utf8',
        env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
        timeout: 120_000,
      });
      expect(shown.status, shown.stderr).toBe(0);
      expect(shown.stdout).toContain("MetaGraphDef with tag-set: 'serve' contains the following SignatureDefs:");
      expect(shown.stdout).toContain("signature_def['serving_default']:");
      expect(shown.stdout).toContain("signature_def['predict_classes']:");
      expect(shown.stdout).toMatch(
        /outputs\['scores'\] tensor_info:\s+dtype: DT_FLOAT\s+shape: \(-1, 10\)\s+name: dense_1\/Sigmoid:0/,
      );
      expect(shown.stdout).toMatch(
        /outputs\['decoded'\] tensor_info:\s+dtype: DT_FLOAT\s+shape: \(-1, 10\)\s+name: dense_1\/Sigmoid:0/,
      );
      expect(shown.stdout).toContain('Method name is: tensorflow/serving/predict');
    }, 180_000);

    it('inspect-graph lists the nodes and function library of a SavedModel TensorFlow wrote', async () => {
      const dir = path.join(tempDir('tf2'), 'keras');
      runPython(
        `
import sys, tensorflow as tf
model = tf.keras.Sequential([
    tf.keras.Input((4,)),
    tf.keras.layers.Dense(3, activation='relu', name='hidden'),
    tf.keras.layers.Dense(2, name='out'),
])
tf.saved_model.save(model, sys.argv[1])
`,
        [dir],
      );
      const result = await runCli(['--json', 'inspect-graph', '--saved-model', dir]);
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.inputs).toEqual(['serving_default_inputs:0']);
      expect(report.outputs).toEqual(['StatefulPartitionedCall:0']);
      expect(report.nodes.map((n: { op: string }) => n.op)).toContain('VarHandleOp');
      const serving = report.functions.filter((f: { name: string }) =>
        f.name.startsWith('__inference_serving_default'),
      );
      expect(serving.length).toBeGreaterThan(0);
      const ops = serving.flatMap((f: { nodes: { op: string }[] }) => f.nodes.map((n) => n.op));
      expect(ops).toEqual(expect.arrayContaining(['MatMul', 'BiasAdd', 'Relu']));
      const serveSignatures = report.metaGraphs[0].signatures.map((s: { name: string }) => s.name);
      expect(serveSignatures).toContain('serving_default');
    }, 180_000);
  },
);
