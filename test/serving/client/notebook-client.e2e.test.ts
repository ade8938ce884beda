/**
 * The notebook's contract, played by a client written against it: `predict_classes` takes
 * `image` and answers `decoded`, ten float scores per image, from the real `mnist-serve serve`
 * over REST (`{"signature_name": "predict_classes", "instances": …}`) and gRPC (Predict with that
 * signature_name). A SavedModel exported with the earlier class-index mapping is served as its
 * signature declares it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServingClient } from '../../../src/serving/client/grpc-client.ts';
import { writeSavedModel } from '../../../src/savedmodel/writer.ts';
import { defaultModelSpec } from '../../../src/model/spec.ts';
import { startServe, type RunningServe } from '../../helpers/serve-process.ts';
import { classIndexDecodedContent, fixtureWeights } from '../../savedmodel/fixtures.ts';
import { contentTensor, imageBatch } from '../servers/grpc/grpc-fixture.ts';
import { exportVersion, sampleImage, tempDir } from '../helpers/export-version.ts';
import { modelConfig, request, startServer, type TestServer } from '../helpers/test-server.ts';

const IMAGES = 4;
let serve: RunningServe;

beforeAll(async () => {
  const base = tempDir('notebook-client');
  await exportVersion(base, 1);
  serve = await startServe(['--model-base-path', base], { grpc: true });
}, 180_000);

afterAll(async () => {
  if (serve && serve.child.exitCode === null) {
    serve.child.kill('SIGTERM');
    await serve.exit;
  }
});

/** serving_default's scores for the same images, the reference `decoded` must equal. */
async function defaultScores(): Promise<number[][]> {
  const instances = Array.from({ length: IMAGES }, (_, i) => sampleImage(i));
  const answer = await request(`${serve.url}/v1/models/mnist:predict`, 'POST', { instances });
  expect(answer.status).toBe(200);
  return answer.body.predictions.map((row: { scores: number[] }) => row.scores);
}

describe("the notebook's client against mnist-serve serve", () => {
  it('REST: signature_name predict_classes answers ten floats per image, equal to serving_default scores', async () => {
    const instances = Array.from({ length: IMAGES }, (_, i) => sampleImage(i));
    const answer = await request(`${serve.url}/v1/models/mnist:predict`, 'POST', {
      signature_name: 'predict_classes',
      instances,
    });
    expect(answer.status, answer.text).toBe(200);
    const decoded: number[][] = answer.body.predictions;
    expect(decoded).toHaveLength(IMAGES);
    for (const row of decoded) {
      expect(row).toHaveLength(10);
      expect(row.every((score) => typeof score === 'number' && score > 0 && score < 1)).toBe(true);
    }
    // Both went through the same JSON printer: equal once read back as float32.
    expect(decoded.map((row) => row.map(Math.fround))).toEqual(
      (await defaultScores()).map((row) => row.map(Math.fround)),
    );
    const columnar = await request(`${serve.url}/v1/models/mnist:predict`, 'POST', {
      signature_name: 'predict_classes',
      inputs: { image: instances },
    });
    expect(columnar.body).toEqual({ outputs: decoded });
  });

  it('gRPC: Predict with signature_name predict_classes answers decoded, DT_FLOAT [N,10], the scores', async () => {
    const client = new ServingClient(serve.grpcAddress!);
    try {
      const response = await client.predict({
        model_spec: { name: 'mnist', signature_name: 'predict_classes' },
        inputs: { image: contentTensor(imageBatch(IMAGES)) },
      });
      expect(response.model_spec).toMatchObject({
        name: 'mnist',
        version: { value: 1 },
        signature_name: 'predict_classes',
      });
      expect(Object.keys(response.outputs)).toEqual(['decoded']);
      const decoded = response.outputs.decoded!;
      expect(decoded.dtype).toBe('DT_FLOAT');
      expect(decoded.tensor_shape!.dim!.map((dim) => Number(dim.size))).toEqual([IMAGES, 10]);
      // gRPC carries exact float32; REST's JSON prints the shortest text that reads back as it.
      expect(decoded.float_val).toEqual((await defaultScores()).flat().map(Math.fround));
    } finally {
      client.close();
    }
  });

  it("the metadata API describes predict_classes' decoded as DT_FLOAT (-1, 10), the output layer", async () => {
    const answer = await request(`${serve.url}/v1/models/mnist/metadata`);
    expect(answer.body.metadata.signature_def.signature_def.predict_classes.outputs.decoded).toEqual({
      dtype: 'DT_FLOAT',
      tensor_shape: { dim: ['-1', '10'].map((size) => ({ size, name: '' })), unknown_rank: false },
      name: 'dense_1/Sigmoid:0',
    });
  });
});

describe('a SavedModel exported with the class-index mapping', () => {
  let served: TestServer;

  beforeAll(async () => {
    const base = tempDir('class-index');
    const spec = defaultModelSpec();
    const dir = path.join(base, '1');
    fs.mkdirSync(dir);
    writeSavedModel(dir, classIndexDecodedContent(spec, fixtureWeights(spec)));
    served = await startServer([modelConfig(base)]);
  }, 120_000);

  afterAll(async () => {
    await served?.server.stop();
  });

  it('keeps answering decoded as its signature declares: one class index per image', async () => {
    const instances = [sampleImage(0), sampleImage(1)];
    const classes = await request(`${served.url}/v1/models/mnist:predict`, 'POST', {
      signature_name: 'predict_classes',
      instances,
    });
    const main = await request(`${served.url}/v1/models/mnist:predict`, 'POST', { instances });
    expect(classes.body).toEqual({ predictions: main.body.predictions.map((row: { classes: number }) => row.classes) });
  });
});
