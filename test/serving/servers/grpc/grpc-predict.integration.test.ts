import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage } from '../../../../src/formats/proto/index.ts';
import type { SignatureDef__Output } from '../../../../src/formats/proto/types.ts';
import { sampleImage } from '../../helpers/export-version.ts';
import { contentTensor, floatValTensor, imageBatch, startGrpcFixture, type GrpcFixture } from './grpc-fixture.ts';

let fixture: GrpcFixture;
const pixels = imageBatch(3);

beforeAll(async () => {
  fixture = await startGrpcFixture();
});

afterAll(async () => {
  await fixture?.stop();
});

describe('tensorflow.serving.PredictionService/Predict over gRPC', () => {
  it('answers the newest version through serving_default with scores [N,10] and int64 classes [N]', async () => {
    const response = await fixture.client.predict({
      model_spec: { name: 'mnist' },
      inputs: { image: contentTensor(pixels) },
    });
    expect(response.model_spec).toMatchObject({
      name: 'mnist',
      version: { value: 2 },
      signature_name: 'serving_default',
    });
    expect(Object.keys(response.outputs).sort()).toEqual(['classes', 'scores']);
    const { scores, classes } = response.outputs;
    expect(scores!.dtype).toBe('DT_FLOAT');
    expect(scores!.tensor_shape!.dim!.map((dim) => dim.size)).toEqual([3, 10]);
    expect(scores!.float_val).toHaveLength(30);
    expect(classes!.dtype).toBe('DT_INT64');
    expect(classes!.tensor_shape!.dim!.map((dim) => dim.size)).toEqual([3]);
    for (let row = 0; row < 3; row++) {
      const rowScores = scores!.float_val!.slice(row * 10, row * 10 + 10);
      // The notebook's head is a sigmoid: each score lies in (0, 1), classes is their argmax.
      expect(rowScores.every((score) => score > 0 && score < 1)).toBe(true);
      expect(classes!.int64_val![row]).toBe(rowScores.indexOf(Math.max(...rowScores)));
    }
  });

  it('gives identical outputs for tensor_content and float_val inputs', async () => {
    const spec = { name: 'mnist', version: { value: 1 } };
    const raw = await fixture.client.predict({ model_spec: spec, inputs: { image: contentTensor(pixels) } });
    const listed = await fixture.client.predict({ model_spec: spec, inputs: { image: floatValTensor(pixels) } });
    expect(listed.outputs).toEqual(raw.outputs);
  });

  it('selects a version by number and by version_label, and versions answer differently', async () => {
    const inputs = { image: contentTensor(pixels) };
    const byNumber = await fixture.client.predict({ model_spec: { name: 'mnist', version: { value: 1 } }, inputs });
    const stable = await fixture.client.predict({ model_spec: { name: 'mnist', version_label: 'stable' }, inputs });
    const canary = await fixture.client.predict({ model_spec: { name: 'mnist', version_label: 'canary' }, inputs });
    expect(stable.model_spec!.version).toEqual({ value: 1 });
    expect(canary.model_spec!.version).toEqual({ value: 2 });
    expect(stable.outputs).toEqual(byNumber.outputs);
    expect(canary.outputs.scores!.float_val).not.toEqual(stable.outputs.scores!.float_val);
  });

  it(
    'runs the predict_classes signature, ' + 'whose decoded output equals serving_default scores (float [N,10])',
    async () => {
      const inputs = { image: contentTensor(pixels) };
      const classes = await fixture.client.predict({
        model_spec: { name: 'mnist', signature_name: 'predict_classes' },
        inputs,
      });
      const main = await fixture.client.predict({ model_spec: { name: 'mnist' }, inputs });
      expect(classes.model_spec!.signature_name).toBe('predict_classes');
      expect(Object.keys(classes.outputs)).toEqual(['decoded']);
      expect(classes.outputs.decoded!.dtype).toBe('DT_FLOAT');
      expect(classes.outputs.decoded!.tensor_shape!.dim!.map((dim) => dim.size)).toEqual([3, 10]);
      expect(classes.outputs.decoded!.float_val).toEqual(main.outputs.scores!.float_val);
    },
  );

  it('returns only the outputs named in output_filter', async () => {
    const response = await fixture.client.predict({
      model_spec: { name: 'mnist' },
      inputs: { image: contentTensor(pixels) },
      output_filter: ['classes'],
    });
    expect(Object.keys(response.outputs)).toEqual(['classes']);
  });

  it('predicts exactly what the REST API predicts for the same images', async () => {
    const instances = [0, 1, 2].map((seed) => sampleImage(seed));
    const rest = await fetch(`${fixture.restUrl}/v1/models/mnist/versions/1:predict`, {
      method: 'POST',
      body: JSON.stringify({ instances }),
    });
    expect(rest.status).toBe(200);
    const { predictions } = (await rest.json()) as { predictions: { scores: number[]; classes: number }[] };
    const grpc = await fixture.client.predict({
      model_spec: { name: 'mnist', version: { value: 1 } },
      inputs: { image: contentTensor(pixels) },
    });
    expect(grpc.outputs.scores!.float_val).toEqual(predictions.flatMap((row) => row.scores.map(Math.fround)));
    expect(grpc.outputs.classes!.int64_val).toEqual(predictions.map((row) => row.classes));
  });

  it('records gRPC requests in the shared Prometheus metrics', async () => {
    const text = await fixture.server.metrics.text();
    expect(text).toMatch(/mnist_serve_requests_total\{transport="grpc",model="mnist",api="predict",code="OK"\} \d+/);
  });
});

describe('GetModelMetadata and GetModelStatus over gRPC', () => {
  it('packs the signature defs as a google.protobuf.Any of tensorflow.serving.SignatureDefMap', async () => {
    const response = await fixture.client.getModelMetadata({
      model_spec: { name: 'mnist', version_label: 'stable' },
      metadata_field: ['signature_def'],
    });
    expect(response.model_spec).toMatchObject({ name: 'mnist', version: { value: 1 } });
    const packed = response.metadata.signature_def!;
    expect(packed.type_url).toBe('type.googleapis.com/tensorflow.serving.SignatureDefMap');
    const map = decodeMessage<{ signature_def: Record<string, SignatureDef__Output> }>(
      'tensorflow.serving.SignatureDefMap',
      packed.value!,
    );
    expect(Object.keys(map.signature_def).sort()).toEqual(['predict_classes', 'serving_default']);
    const image = map.signature_def.serving_default!.inputs!.image!;
    expect(image.dtype).toBe('DT_FLOAT');
    expect(image.tensor_shape!.dim!.map((dim) => dim.size)).toEqual([-1, 28, 28, 1]);
    expect(map.signature_def.serving_default!.method_name).toBe('tensorflow/serving/predict');
  });

  it('reports every version as AVAILABLE with error_code OK, or the one a version or label names', async () => {
    const all = await fixture.client.getModelStatus({ model_spec: { name: 'mnist' } });
    // proto3 leaves default values (error_code OK, an empty message) off the wire, as TF Serving does.
    const reported = all.model_version_status.map(({ version, state, status }) => [
      version,
      state,
      status?.error_code ?? 'OK',
      status?.error_message ?? '',
    ]);
    expect(reported).toEqual([
      [2, 'AVAILABLE', 'OK', ''],
      [1, 'AVAILABLE', 'OK', ''],
    ]);
    const one = await fixture.client.getModelStatus({ model_spec: { name: 'mnist', version: { value: 1 } } });
    expect(one.model_version_status.map((status) => status.version)).toEqual([1]);
    const labelled = await fixture.client.getModelStatus({ model_spec: { name: 'mnist', version_label: 'canary' } });
    expect(labelled.model_version_status.map((status) => status.version)).toEqual([2]);
  });
});
