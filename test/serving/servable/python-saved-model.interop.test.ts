import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTf } from '../../../src/runtime/tf.ts';
import { noPythonTf } from '../../helpers/python-tf.ts';
import { sampleImage, tempDir } from '../helpers/export-version.ts';
import { writePythonSavedModel } from '../helpers/python-saved-model.ts';
import { modelConfig, request, startServer, type TestServer } from '../helpers/test-server.ts';

describe.skipIf(noPythonTf)(
  'serving a SavedModel that TensorFlow itself wrote (needs Python TensorFlow: npm run setup:python-tf)',
  () => {
    let served: TestServer;
    let dir: string;

    beforeAll(async () => {
      const base = tempDir('python-model');
      dir = path.join(base, '1');
      writePythonSavedModel(dir, 5);
      served = await startServer([modelConfig(base)]);
    }, 180_000);

    afterAll(async () => {
      await served?.server.stop();
    });

    it('answers both signatures as TensorFlow computes them', async () => {
      const tf = await loadTf();
      const model = await tf.node.loadSavedModel(dir, ['serve'], 'serving_default');
      const out = model.predict({ image: tf.tensor([sampleImage(3)]) }) as Record<
        string,
        import('@tensorflow/tfjs-node').Tensor
      >;
      const scores = Array.from(out.scores!.dataSync());
      model.dispose();
      const answer = await request(`${served.url}/v1/models/mnist:predict`, 'POST', { instances: [sampleImage(3)] });
      expect(answer.status).toBe(200);
      answer.body.predictions[0].scores.forEach((value: number, i: number) => expect(value).toBeCloseTo(scores[i]!, 5));
      const classes = await request(`${served.url}/v1/models/mnist:predict`, 'POST', {
        signature_name: 'predict_classes',
        inputs: [sampleImage(3)],
      });
      expect(classes.body).toEqual({ outputs: [answer.body.predictions[0].classes] });
    });

    it('reports the tensor names TensorFlow gave the signatures', async () => {
      const signatures = (await request(`${served.url}/v1/models/mnist/metadata`)).body.metadata.signature_def
        .signature_def;
      expect(signatures.serving_default.inputs.image.name).toBe('conv2d_input:0');
      expect(signatures.serving_default.outputs.scores.name).toBe('dense_1/Sigmoid:0');
      expect(signatures.predict_classes.outputs.decoded.dtype).toBe('DT_INT64');
    });
  },
);
