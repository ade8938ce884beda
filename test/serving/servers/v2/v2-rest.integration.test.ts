import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentTensor, imageBatch, startGrpcFixture, type GrpcFixture } from '../grpc/grpc-fixture.ts';
import { sampleImage } from '../../helpers/export-version.ts';
import { binaryBody, binaryOutputs, fp32Bytes, readFp32, readInt64, rest } from './spec-client.ts';

let fixture: GrpcFixture;
const pixels = imageBatch(3);
const imageInput = (data: unknown = Array.from(pixels), shape = [3, 28, 28, 1]) => ({
  name: 'image',
  shape,
  datatype: 'FP32',
  data,
});
const url = (path: string) => `${fixture.restUrl}${path}`;
const infer = (path: string, json: unknown) => rest(url(path), { json });

beforeAll(async () => {
  fixture = await startGrpcFixture();
});

afterAll(async () => {
  await fixture?.stop();
});

/** TF Serving's REST answer (columnar) for the same three images on `version`. */
async function v1Outputs(version: number, signature?: string) {
  const body = { inputs: [0, 1, 2].map((seed) => sampleImage(seed)), ...(signature && { signature_name: signature }) };
  const answer = await rest(url(`/v1/models/mnist/versions/${version}:predict`), { json: body });
  expect(answer.status).toBe(200);
  return answer.json.outputs as Record<string, number[] | number[][]>;
}

describe('v2 health and metadata over REST', () => {
  it('is live and ready, as /healthz and /readyz say', async () => {
    expect(await rest(url('/v2/health/live'))).toMatchObject({ status: 200, json: { live: true } });
    expect(await rest(url('/v2/health/ready'))).toMatchObject({ status: 200, json: { ready: true } });
    expect(await rest(url('/healthz'))).toMatchObject({ status: 200 });
    expect(await rest(url('/readyz'))).toMatchObject({ status: 200 });
  });

  it('describes the server with the binary tensor data extension', async () => {
    const answer = await rest(url('/v2'));
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      name: 'mnist-serve',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      extensions: ['binary_tensor_data'],
    });
  });

  it('describes the model from its serving_default signature, for the newest or a named version', async () => {
    const expected = {
      name: 'mnist',
      versions: ['1', '2'],
      platform: 'tensorflow_savedmodel',
      inputs: [{ name: 'image', datatype: 'FP32', shape: [-1, 28, 28, 1] }],
      outputs: [
        { name: 'classes', datatype: 'INT64', shape: [-1] },
        { name: 'scores', datatype: 'FP32', shape: [-1, 10] },
      ],
    };
    expect(await rest(url('/v2/models/mnist'))).toMatchObject({ status: 200, json: expected });
    expect(await rest(url('/v2/models/mnist/versions/1'))).toMatchObject({ status: 200, json: expected });
    expect((await rest(url('/v2/models/mnist/versions/9'))).status).toBe(404);
    expect((await rest(url('/v2/models/nope'))).json.error).toMatch(/nope/);
  });

  it('reports model readiness per version: 200 ready, 503 not ready, 404 for a model it does not serve', async () => {
    expect(await rest(url('/v2/models/mnist/ready'))).toMatchObject({
      status: 200,
      json: { name: 'mnist', ready: true },
    });
    expect(await rest(url('/v2/models/mnist/versions/1/ready'))).toMatchObject({ status: 200, json: { ready: true } });
    expect(await rest(url('/v2/models/mnist/versions/stable/ready'))).toMatchObject({
      status: 200,
      json: { ready: true },
    });
    const absent = await rest(url('/v2/models/mnist/versions/7/ready'));
    expect(absent).toMatchObject({ status: 503, json: { name: 'mnist', ready: false } });
    expect(absent.json.error).toMatch(/7/);
    expect(await rest(url('/v2/models/nope/ready'))).toMatchObject({
      status: 404,
      json: { error: expect.stringMatching(/nope/) },
    });
  });
});

describe('v2 inference over REST with JSON tensors', () => {
  it('answers what the TF Serving API answers for the same images, to the same float', async () => {
    const answer = await infer('/v2/models/mnist/infer', { id: 'request-42', inputs: [imageInput()] });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('inference-header-content-length')).toBeNull();
    expect(answer.json).toMatchObject({ model_name: 'mnist', model_version: '2', id: 'request-42' });
    const v1 = await v1Outputs(2);
    expect(answer.json.outputs).toEqual([
      { name: 'classes', datatype: 'INT64', shape: [3], data: v1.classes },
      { name: 'scores', datatype: 'FP32', shape: [3, 10], data: (v1.scores as number[][]).flat() },
    ]);
  });

  it('takes data nested as the shape, and answers as for flat data', async () => {
    const nested = [0, 1, 2].map((seed) => sampleImage(seed));
    const flat = await infer('/v2/models/mnist/infer', { inputs: [imageInput()] });
    const deep = await infer('/v2/models/mnist/infer', { inputs: [imageInput(nested)] });
    expect(deep.json.outputs).toEqual(flat.json.outputs);
    expect(flat.json.id).toBeUndefined();
  });

  it('takes optional fields sent as null as absent', async () => {
    const answer = await infer('/v2/models/mnist/infer', {
      id: null,
      parameters: null,
      inputs: [{ ...imageInput(), parameters: null }],
      outputs: null,
    });
    expect(answer.status).toBe(200);
    expect(answer.json.outputs).toHaveLength(2);
  });

  it('selects a version by number or label, and versions answer differently', async () => {
    const one = await infer('/v2/models/mnist/versions/1/infer', { inputs: [imageInput()] });
    const stable = await infer('/v2/models/mnist/versions/stable/infer', { inputs: [imageInput()] });
    const canary = await infer('/v2/models/mnist/versions/canary/infer', { inputs: [imageInput()] });
    expect([one.json.model_version, stable.json.model_version, canary.json.model_version]).toEqual(['1', '1', '2']);
    expect(stable.json.outputs).toEqual(one.json.outputs);
    expect(canary.json.outputs[1].data).not.toEqual(one.json.outputs[1].data);
    expect(one.json.outputs[1].data).toEqual(((await v1Outputs(1)).scores as number[][]).flat());
  });

  it('returns only the requested outputs, in the requested order', async () => {
    const answer = await infer('/v2/models/mnist/infer', {
      inputs: [imageInput()],
      outputs: [{ name: 'scores' }, { name: 'classes' }],
    });
    expect(answer.json.outputs.map((output: { name: string }) => output.name)).toEqual(['scores', 'classes']);
    const one = await infer('/v2/models/mnist/infer', { inputs: [imageInput()], outputs: [{ name: 'classes' }] });
    expect(one.json.outputs.map((output: { name: string }) => output.name)).toEqual(['classes']);
  });

  it('runs the signature the signature_name parameter names', async () => {
    const answer = await infer('/v2/models/mnist/versions/1/infer', {
      parameters: { signature_name: 'predict_classes' },
      inputs: [imageInput()],
    });
    expect(answer.status).toBe(200);
    // One output: TF Serving's columnar answer is that tensor itself.
    const v1 = (await v1Outputs(1, 'predict_classes')) as unknown as number[];
    expect(answer.json.outputs.map((output: { name: string }) => output.name)).toEqual(['decoded']);
    expect(answer.json.outputs[0].data).toEqual(v1.flat(3));
  });
});

describe('v2 inference over REST with the binary tensor data extension', () => {
  const request = (parameters: object, outputs?: object[]) =>
    binaryBody(
      {
        parameters,
        inputs: [
          {
            name: 'image',
            shape: [3, 28, 28, 1],
            datatype: 'FP32',
            parameters: { binary_data_size: pixels.length * 4 },
          },
        ],
        ...(outputs && { outputs }),
      },
      [fp32Bytes(pixels)],
    );

  it('takes raw little-endian inputs and sends raw outputs: the same floats as TF Serving gRPC', async () => {
    const answer = await rest(url('/v2/models/mnist/versions/1/infer'), request({ binary_data_output: true }));
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/octet-stream');
    expect(answer.json.outputs).toEqual([
      { name: 'classes', datatype: 'INT64', shape: [3], parameters: { binary_data_size: 24 } },
      { name: 'scores', datatype: 'FP32', shape: [3, 10], parameters: { binary_data_size: 120 } },
    ]);
    const blobs = binaryOutputs(answer);
    const v1 = await fixture.client.predict({
      model_spec: { name: 'mnist', version: { value: 1 } },
      inputs: { image: contentTensor(pixels) },
    });
    expect(readFp32(blobs.scores!)).toEqual(v1.outputs.scores!.float_val);
    expect(readInt64(blobs.classes!)).toEqual(v1.outputs.classes!.int64_val);
  });

  it('sends binary only the outputs that ask for it, and JSON for binary inputs when none does', async () => {
    const json = await infer('/v2/models/mnist/infer', { inputs: [imageInput()] });
    const mixed = await rest(
      url('/v2/models/mnist/infer'),
      request({}, [{ name: 'scores', parameters: { binary_data: true } }, { name: 'classes' }]),
    );
    expect(mixed.json.outputs[1]).toEqual(json.json.outputs[0]);
    expect(readFp32(binaryOutputs(mixed).scores!)).toEqual(json.json.outputs[1].data.map(Math.fround));
    const plain = await rest(url('/v2/models/mnist/infer'), request({}));
    expect(plain.headers.get('inference-header-content-length')).toBeNull();
    expect(plain.json.outputs).toEqual(json.json.outputs);
  });
});

describe('v2 REST errors', () => {
  const expectError = async (answer: Promise<Awaited<ReturnType<typeof rest>>>, status: number, message: RegExp) => {
    const { status: got, json } = await answer;
    expect({ status: got, error: json?.error }).toMatchObject({ status, error: expect.stringMatching(message) });
  };

  it('answers 404 for an unknown model, version or path and 405 for a wrong method', async () => {
    await expectError(infer('/v2/models/nope/infer', { inputs: [imageInput()] }), 404, /nope/);
    await expectError(infer('/v2/models/mnist/versions/9/infer', { inputs: [imageInput()] }), 404, /9/);
    await expectError(rest(url('/v2/repository/index')), 404, /Not found/);
    await expectError(rest(url('/v2/models/mnist/infer')), 405, /use POST/);
    await expectError(infer('/v2/models/mnist/versions/beta/infer', { inputs: [imageInput()] }), 400, /label: beta/);
  });

  it('answers 400 naming what is wrong in the JSON', async () => {
    const cases: [unknown, RegExp][] = [
      ['{"inputs": [', /not valid JSON/],
      [[], /JSON object/],
      [{ inputs: [] }, /non-empty array/],
      [{ id: 7, inputs: [imageInput()] }, /"id" must be a string/],
      [{ inputs: [{ ...imageInput(), name: 'pixels' }] }, /Sent extra: \{pixels\}. Missing but required: \{image\}/],
      [{ inputs: [imageInput(), imageInput()] }, /image is given twice/],
      [{ inputs: [{ ...imageInput(), datatype: 'FP64' }] }, /expected datatype FP32, got FP64/],
      [{ inputs: [{ ...imageInput(), datatype: 'FLOAT' }] }, /"FLOAT" is not one of the protocol's datatypes/],
      [{ inputs: [imageInput(Array.from(pixels).slice(1))] }, /2351 values for shape \[3,28,28,1\]/],
      [{ inputs: [imageInput([...Array.from(pixels), 0])] }, /more than the 2352 values/],
      [{ inputs: [imageInput(Array.from(pixels).map(String))] }, /is not a FP32 value/],
      [{ inputs: [imageInput(Array.from(pixels), [3, 28, 28])] }, /expected shape \[-1,28,28,1\], got \[3,28,28\]/],
      [{ inputs: [imageInput([], [-3, 28, 28, 1])] }, /not a non-negative integer/],
      [{ inputs: [{ name: 'image', shape: [1, 28, 28, 1], datatype: 'FP32' }] }, /neither "data" nor binary_data_size/],
      [{ inputs: [imageInput()], outputs: [{ name: 'logits' }] }, /output tensor alias not found in signature: logits/],
      [{ parameters: { signature_name: 'nope' }, inputs: [imageInput()] }, /"nope" not found/],
      [{ inputs: [imageInput([0], [100_000, 28, 28, 1])] }, /100000 rows exceed the limit of \d+ rows per request/],
    ];
    for (const [body, message] of cases)
      await expectError(
        rest(url('/v2/models/mnist/infer'), typeof body === 'string' ? { body: Buffer.from(body) } : { json: body }),
        400,
        message,
      );
  });

  it('answers 400 for binary data that does not match its header or shape', async () => {
    const header = (size: number) => ({
      inputs: [{ name: 'image', shape: [1, 28, 28, 1], datatype: 'FP32', parameters: { binary_data_size: size } }],
    });
    const image = fp32Bytes(pixels.subarray(0, 784));
    const cases: [{ body: Buffer; headers: Record<string, string> }, RegExp][] = [
      [binaryBody(header(784 * 4), [image.subarray(8)]), /runs past the end of the body/],
      [
        binaryBody(header(784 * 4 - 4), [image.subarray(4)]),
        /3132 bytes of raw data, shape \[1,28,28,1\] of FP32 needs 3136/,
      ],
      [binaryBody(header(784 * 4), [image, Buffer.alloc(4)]), /4 bytes after the JSON header belong to no input/],
      [
        { ...binaryBody(header(784 * 4), [image]), headers: { 'Inference-Header-Content-Length': '999999' } },
        /not a byte count within/,
      ],
    ];
    for (const [request, message] of cases)
      await expectError(rest(url('/v2/models/mnist/infer'), request), 400, message);
  });

  it('counts v2 requests in the shared Prometheus metrics', async () => {
    const text = await fixture.server.metrics.text();
    expect(text).toMatch(/mnist_serve_requests_total\{transport="rest",model="mnist",api="v2_infer",code="OK"\} \d+/);
    expect(text).toMatch(
      /mnist_serve_requests_total\{transport="rest",model="mnist",api="v2_infer",code="INVALID_ARGUMENT"\} \d+/,
    );
  });
});
