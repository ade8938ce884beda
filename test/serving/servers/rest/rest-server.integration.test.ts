import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTf } from '../../../../src/runtime/tf.ts';
import { exportVersion, sampleImage, tempDir } from '../../helpers/export-version.ts';
import { modelConfig, request, startServer, type TestServer } from '../../helpers/test-server.ts';

let base: string;
let served: TestServer;
/** What TensorFlow itself answers for sampleImage(0) and sampleImage(1) on version 2. */
let expected: { scores: number[][]; classes: number[] };

beforeAll(async () => {
  base = tempDir('rest');
  await exportVersion(base, 1);
  const dir = await exportVersion(base, 2);
  const tf = await loadTf();
  const model = await tf.node.loadSavedModel(dir, ['serve'], 'serving_default');
  const out = model.predict({ image: tf.tensor([sampleImage(0), sampleImage(1)]) }) as Record<
    string,
    import('@tensorflow/tfjs-node').Tensor
  >;
  expected = {
    scores: out.scores!.arraySync() as number[][],
    classes: Array.from(out.classes!.dataSync() as unknown as BigInt64Array, Number),
  };
  model.dispose();
  served = await startServer(
    [modelConfig(base, { versionPolicy: { kind: 'all' }, versionLabels: { stable: 1, canary: 2 } })],
    { maxBodyBytes: 200_000 },
  );
}, 120_000);

afterAll(async () => {
  await served?.server.stop();
});

const url = (path: string) => `${served.url}${path}`;

function expectScoresClose(actual: number[][], wanted: number[][]) {
  expect(actual.length).toBe(wanted.length);
  actual.forEach((row, i) => row.forEach((value, j) => expect(value).toBeCloseTo(wanted[i]![j]!, 5)));
}

describe('REST predict', () => {
  it('answers the row format with one object per instance, as TensorFlow computes it', async () => {
    const answer = await request(url('/v1/models/mnist:predict'), 'POST', {
      instances: [sampleImage(0), sampleImage(1)],
    });
    expect(answer.status).toBe(200);
    expect(answer.body.predictions.map((p: { classes: number }) => p.classes)).toEqual(expected.classes);
    expectScoresClose(
      answer.body.predictions.map((p: { scores: number[] }) => p.scores),
      expected.scores,
    );
  });

  it('answers the columnar format, plain or keyed by input name, with outputs', async () => {
    for (const inputs of [[sampleImage(0), sampleImage(1)], { image: [sampleImage(0), sampleImage(1)] }]) {
      const answer = await request(url('/v1/models/mnist:predict'), 'POST', { inputs });
      expect(answer.status).toBe(200);
      expect(answer.body.outputs.classes).toEqual(expected.classes);
      expectScoresClose(answer.body.outputs.scores, expected.scores);
    }
  });

  it(
    'runs the predict_classes signature when signature_name asks for it: ' +
      'ten scores per instance, a plain list each',
    async () => {
      const answer = await request(url('/v1/models/mnist:predict'), 'POST', {
        signature_name: 'predict_classes',
        instances: [sampleImage(0), sampleImage(1)],
      });
      expect(answer.status).toBe(200);
      expect(Object.keys(answer.body)).toEqual(['predictions']);
      expectScoresClose(answer.body.predictions, expected.scores);
    },
  );

  it('serves a pinned version and a labelled version', async () => {
    const v1 = await request(url('/v1/models/mnist/versions/1:predict'), 'POST', { instances: [sampleImage(0)] });
    const stable = await request(url('/v1/models/mnist/labels/stable:predict'), 'POST', {
      instances: [sampleImage(0)],
    });
    const canary = await request(url('/v1/models/mnist/labels/canary:predict'), 'POST', {
      instances: [sampleImage(0)],
    });
    expect(stable.body).toEqual(v1.body);
    expectScoresClose([canary.body.predictions[0].scores], [expected.scores[0]!]);
    expect(v1.body.predictions[0].scores).not.toEqual(canary.body.predictions[0].scores);
  });
});

describe('REST status and metadata', () => {
  it('reports every version newest first, each AVAILABLE with an OK status', async () => {
    const answer = await request(url('/v1/models/mnist'));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      model_version_status: ['2', '1'].map((version) => ({
        version,
        state: 'AVAILABLE',
        status: { error_code: 'OK', error_message: '' },
      })),
    });
    expect(
      (await request(url('/v1/models/mnist/versions/1'))).body.model_version_status.map(
        (s: { version: string }) => s.version,
      ),
    ).toEqual(['1']);
    expect(
      (await request(url('/v1/models/mnist/labels/canary'))).body.model_version_status.map(
        (s: { version: string }) => s.version,
      ),
    ).toEqual(['2']);
  });

  it('returns the signature defs as GetModelMetadataResponse JSON', async () => {
    const answer = await request(url('/v1/models/mnist/versions/1/metadata'));
    expect(answer.status).toBe(200);
    expect(answer.body.model_spec).toEqual({ name: 'mnist', signature_name: '', version: '1' });
    const signatures = answer.body.metadata.signature_def.signature_def;
    expect(Object.keys(signatures).sort()).toEqual(['predict_classes', 'serving_default']);
    expect(signatures.serving_default.method_name).toBe('tensorflow/serving/predict');
    expect(signatures.serving_default.inputs.image).toEqual({
      dtype: 'DT_FLOAT',
      tensor_shape: { dim: ['-1', '28', '28', '1'].map((size) => ({ size, name: '' })), unknown_rank: false },
      name: 'conv2d_input:0',
    });
    expect(signatures.serving_default.outputs.classes.dtype).toBe('DT_INT64');
    expect(signatures.predict_classes.outputs).toEqual({
      decoded: {
        dtype: 'DT_FLOAT',
        tensor_shape: { dim: ['-1', '10'].map((size) => ({ size, name: '' })), unknown_rank: false },
        name: 'dense_1/Sigmoid:0',
      },
    });
    expect((await request(url('/v1/models/mnist/metadata'))).body.model_spec.version).toBe('2');
  });
});

describe('REST errors', () => {
  it.each([
    [
      'POST',
      '/v1/models/nope:predict',
      { instances: [sampleImage(0)] },
      404,
      'Servable not found for request: Latest(nope)',
    ],
    [
      'POST',
      '/v1/models/mnist/versions/7:predict',
      { instances: [sampleImage(0)] },
      404,
      'Servable not found for request: Specific(mnist, 7)',
    ],
    [
      'POST',
      '/v1/models/mnist/labels/beta:predict',
      { instances: [sampleImage(0)] },
      400,
      'Unrecognized servable version label: beta',
    ],
    [
      'POST',
      '/v1/models/mnist:predict',
      { signature_name: 'other', instances: [sampleImage(0)] },
      400,
      'Serving signature name: "other" not found in signature def',
    ],
    [
      'POST',
      '/v1/models/mnist:predict',
      { instances: [[[0.5]]] },
      400,
      'input image: expected shape [-1,28,28,1], got [1,1,1]',
    ],
    ['POST', '/v1/models/mnist:predict', { instances: [[['x']]] }, 400, 'is not of expected type: float'],
    ['POST', '/v1/models/mnist:predict', '{"instances": [', 400, 'JSON Parse error'],
    ['POST', '/v1/models/mnist:predict', '', 400, 'JSON Parse error: The document is empty'],
    ['POST', '/v1/models/mnist:classify', { examples: [] }, 501, 'classify is not supported'],
    ['GET', '/v1/models/nope', undefined, 404, 'Could not find any versions of model nope'],
    ['GET', '/v1/models/mnist/versions/9', undefined, 404, 'Could not find version 9 of model mnist'],
    [
      'GET',
      '/v1/models/mnist/versions/9/metadata',
      undefined,
      404,
      'Servable not found for request: Specific(mnist, 9)',
    ],
    ['GET', '/v1/models', undefined, 400, 'Missing model name in request.'],
    ['PUT', '/v1/models/mnist', undefined, 400, 'Malformed request: PUT /v1/models/mnist'],
    ['GET', '/v1/models/mnist/versions/x', undefined, 400, 'Malformed request: GET /v1/models/mnist/versions/x'],
    ['GET', '/elsewhere', undefined, 404, 'Not found: GET /elsewhere'],
  ])('%s %s answers %#', async (method, path, body: unknown, status, message) => {
    const answer = await request(url(path), method, body);
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({ error: expect.stringContaining(message) });
  });

  it('ignores columnar inputs the signature does not declare, as TF Serving does', async () => {
    const answer = await request(url('/v1/models/mnist:predict'), 'POST', {
      inputs: { image: [sampleImage(0)], extra: [1] },
    });
    expect(answer.status).toBe(200);
  });

  it('refuses a body over the limit with 413, by Content-Length or while streaming', async () => {
    const big = JSON.stringify({ instances: Array.from({ length: 60 }, () => sampleImage(0)) });
    expect(big.length).toBeGreaterThan(200_000);
    const answer = await request(url('/v1/models/mnist:predict'), 'POST', big);
    expect(answer.status).toBe(413);
    expect(answer.body.error).toBe('request body is larger than the limit of 200000 bytes');
    const chunked = new ReadableStream({
      start(controller) {
        for (let i = 0; i < big.length; i += 50_000)
          controller.enqueue(new TextEncoder().encode(big.slice(i, i + 50_000)));
        controller.close();
      },
    });
    const streamed = await fetch(url('/v1/models/mnist:predict'), {
      method: 'POST',
      body: chunked,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });
});

describe('metrics', () => {
  it('exports requests, latency, loaded versions in Prometheus text format', async () => {
    const answer = await request(url('/monitoring/prometheus/metrics'));
    expect(answer.status).toBe(200);
    expect(answer.text).toMatch(
      /mnist_serve_requests_total\{transport="rest",model="mnist",api="predict",code="OK"\} \d+/,
    );
    expect(answer.text).toMatch(
      /mnist_serve_requests_total\{transport="rest",model="mnist",api="predict",code="NOT_FOUND"\} \d+/,
    );
    expect(answer.text).toMatch(
      /mnist_serve_requests_total\{transport="rest",model="\(unknown\)",api="predict",code="NOT_FOUND"\} 1/,
    );
    expect(answer.text).toContain(
      'mnist_serve_request_latency_seconds_bucket{le="0.05",transport="rest",model="mnist",api="predict"}',
    );
    expect(answer.text).toContain('mnist_serve_loaded_versions{model="mnist"} 2');
  });
});
