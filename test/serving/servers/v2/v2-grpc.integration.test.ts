import type { ServiceError } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentTensor, imageBatch, startGrpcFixture, type GrpcFixture } from '../grpc/grpc-fixture.ts';
import { fp32Bytes, readFp32, readInt64, rest, SpecGrpcClient } from './spec-client.ts';

let fixture: GrpcFixture;
let client: SpecGrpcClient;
const pixels = imageBatch(3);
const typedImage = {
  name: 'image',
  datatype: 'FP32',
  shape: [3, 28, 28, 1],
  contents: { fp32_contents: Array.from(pixels) },
};
const rawImage = { name: 'image', datatype: 'FP32', shape: [3, 28, 28, 1] };

beforeAll(async () => {
  fixture = await startGrpcFixture();
  client = new SpecGrpcClient(`127.0.0.1:${fixture.grpc.address.port}`);
});

afterAll(async () => {
  client?.close();
  await fixture?.stop();
});

/** TF Serving's gRPC Predict for the same images on `version`. */
function v1Predict(version: number) {
  return fixture.client.predict({
    model_spec: { name: 'mnist', version: { value: version } },
    inputs: { image: contentTensor(pixels) },
  });
}

describe('inference.GRPCInferenceService health and metadata', () => {
  it('is live and ready, and describes the server', async () => {
    expect(await client.call('ServerLive', {})).toEqual({ live: true });
    expect(await client.call('ServerReady', {})).toEqual({ ready: true });
    expect(await client.call('ServerMetadata', {})).toEqual({
      name: 'mnist-serve',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      extensions: ['binary_tensor_data'],
    });
  });

  it('reports model readiness per version, and NOT_FOUND for a model it does not serve', async () => {
    expect(await client.call('ModelReady', { name: 'mnist' })).toEqual({ ready: true });
    expect(await client.call('ModelReady', { name: 'mnist', version: 'canary' })).toEqual({ ready: true });
    expect(await client.call('ModelReady', { name: 'mnist', version: '7' })).toEqual({ ready: false });
    await expect(client.call('ModelReady', { name: 'nope' })).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it('describes the model as the REST endpoint does, with int64 shapes', async () => {
    const metadata = await client.call('ModelMetadata', { name: 'mnist', version: '1' });
    expect(metadata).toEqual((await rest(`${fixture.restUrl}/v2/models/mnist/versions/1`)).json);
    expect(metadata.inputs).toEqual([{ name: 'image', datatype: 'FP32', shape: [-1, 28, 28, 1] }]);
  });
});

describe('inference.GRPCInferenceService/ModelInfer', () => {
  it('answers typed contents with typed contents: the same floats as TF Serving gRPC Predict', async () => {
    const response = await client.call('ModelInfer', { model_name: 'mnist', id: 'abc', inputs: [typedImage] });
    expect(response).toMatchObject({ model_name: 'mnist', model_version: '2', id: 'abc', raw_output_contents: [] });
    const [classes, scores] = response.outputs;
    expect([classes.name, classes.datatype, classes.shape, scores.name, scores.datatype, scores.shape]).toEqual([
      'classes',
      'INT64',
      [3],
      'scores',
      'FP32',
      [3, 10],
    ]);
    const v1 = await v1Predict(2);
    expect(scores.contents.fp32_contents).toEqual(v1.outputs.scores!.float_val);
    expect(classes.contents.int64_contents).toEqual(v1.outputs.classes!.int64_val);
  });

  it('answers raw_input_contents with raw_output_contents, and typed when binary_data_output is false', async () => {
    const request = {
      model_name: 'mnist',
      model_version: '1',
      inputs: [rawImage],
      raw_input_contents: [fp32Bytes(pixels)],
    };
    const raw = await client.call('ModelInfer', request);
    expect(raw.outputs.map((output: { contents: unknown }) => output.contents)).toEqual([null, null]);
    const v1 = await v1Predict(1);
    expect(readInt64(raw.raw_output_contents[0])).toEqual(v1.outputs.classes!.int64_val);
    expect(readFp32(raw.raw_output_contents[1])).toEqual(v1.outputs.scores!.float_val);
    const typed = await client.call('ModelInfer', {
      ...request,
      parameters: { binary_data_output: { bool_param: false } },
    });
    expect(typed.raw_output_contents).toEqual([]);
    expect(typed.outputs[1].contents.fp32_contents).toEqual(v1.outputs.scores!.float_val);
    const asked = await client.call('ModelInfer', {
      model_name: 'mnist',
      model_version: '1',
      inputs: [typedImage],
      parameters: { binary_data_output: { bool_param: true } },
    });
    expect(asked.raw_output_contents).toEqual(raw.raw_output_contents);
  });

  it('answers as the v2 REST API does for the same request', async () => {
    const grpc = await client.call('ModelInfer', {
      model_name: 'mnist',
      model_version: 'stable',
      inputs: [typedImage],
    });
    const json = (
      await rest(`${fixture.restUrl}/v2/models/mnist/versions/stable/infer`, {
        json: { inputs: [{ ...rawImage, data: Array.from(pixels) }] },
      })
    ).json;
    expect(grpc.model_version).toBe('1');
    expect(grpc.outputs[1].contents.fp32_contents).toEqual(json.outputs[1].data.map(Math.fround));
    expect(grpc.outputs[0].contents.int64_contents).toEqual(json.outputs[0].data);
  });

  it('selects outputs and the signature by the signature_name parameter', async () => {
    const one = await client.call('ModelInfer', {
      model_name: 'mnist',
      inputs: [typedImage],
      outputs: [{ name: 'scores' }],
    });
    expect(one.outputs.map((output: { name: string }) => output.name)).toEqual(['scores']);
    const classes = await client.call('ModelInfer', {
      model_name: 'mnist',
      inputs: [typedImage],
      parameters: { signature_name: { string_param: 'predict_classes' } },
    });
    expect(classes.outputs.map((output: { name: string }) => output.name)).toEqual(['decoded']);
  });

  it('fails with the canonical code and a message naming the problem', async () => {
    const cases: [object, number, RegExp][] = [
      [{ model_name: 'nope', inputs: [typedImage] }, status.NOT_FOUND, /nope/],
      [{ model_name: 'mnist', model_version: '9', inputs: [typedImage] }, status.NOT_FOUND, /9/],
      [{ model_name: 'mnist', inputs: [] }, status.INVALID_ARGUMENT, /no inputs/],
      [
        { model_name: 'mnist', inputs: [{ ...typedImage, datatype: 'FP64' }] },
        status.INVALID_ARGUMENT,
        /expected datatype FP32, got FP64/,
      ],
      [
        { model_name: 'mnist', inputs: [{ ...typedImage, shape: [2, 28, 28, 1] }] },
        status.INVALID_ARGUMENT,
        /2352 values for shape \[2,28,28,1\]/,
      ],
      [
        { model_name: 'mnist', inputs: [rawImage], raw_input_contents: [fp32Bytes(pixels).subarray(4)] },
        status.INVALID_ARGUMENT,
        /9404 bytes of raw data, shape \[3,28,28,1\] of FP32 needs 9408/,
      ],
      [
        { model_name: 'mnist', inputs: [rawImage], raw_input_contents: [fp32Bytes(pixels), fp32Bytes(pixels)] },
        status.INVALID_ARGUMENT,
        /raw_input_contents holds 2 entries for 1 inputs/,
      ],
      [
        { model_name: 'mnist', inputs: [typedImage], raw_input_contents: [fp32Bytes(pixels)] },
        status.INVALID_ARGUMENT,
        /both contents and raw_input_contents/,
      ],
      [{ model_name: 'mnist', inputs: [typedImage], outputs: [{ name: 'logits' }] }, status.INVALID_ARGUMENT, /logits/],
      [
        {
          model_name: 'mnist',
          inputs: [{ ...typedImage, shape: [400_000, 28, 28, 1], contents: { fp32_contents: [0] } }],
        },
        status.INVALID_ARGUMENT,
        /400000 rows exceed the limit/,
      ],
      [
        { model_name: 'mnist', inputs: [typedImage], parameters: { signature_name: { bool_param: true } } },
        status.INVALID_ARGUMENT,
        /string_param/,
      ],
    ];
    for (const [request, code, message] of cases) {
      const error = (await client
        .call('ModelInfer', request)
        .catch((failure: ServiceError) => failure)) as ServiceError;
      expect({ code: error.code, details: error.details }).toMatchObject({
        code,
        details: expect.stringMatching(message),
      });
    }
  });

  it('counts ModelInfer in the shared Prometheus metrics', async () => {
    const text = await fixture.server.metrics.text();
    expect(text).toMatch(/mnist_serve_requests_total\{transport="grpc",model="mnist",api="v2_infer",code="OK"\} \d+/);
  });
});
