/**
 * Property-based tests of the request decoders (issue 19), against a real server over both
 * transports: arbitrary shapes, dtypes, value encodings and bytes over gRPC, arbitrary JSON (and
 * bytes) over REST. Every answer is OK or a client error — never INTERNAL/500, never a crash —
 * and a valid request right after each one is still answered. How long the costliest requests hold
 * the server is measured by `npm run bench:request-cost`, not timed here.
 * `FUZZ_RUNS` sets the cases per property (`npm run fuzz:serve` runs thousands); the cases come from
 * a fixed seed, so a run is repeatable, and `FUZZ_SEED` explores others (a failure prints its seed).
 */
import { status, type ServiceError } from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataTypeName, TensorProto } from '../../../src/formats/proto/types.ts';
import type { PredictRequest } from '../../../src/serving/apis/protos.ts';
import { sampleImage } from '../helpers/export-version.ts';
import {
  contentTensor,
  imageBatch,
  shapeProto,
  startGrpcFixture,
  type GrpcFixture,
} from '../servers/grpc/grpc-fixture.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const SEED = Number(process.env.FUZZ_SEED ?? 19);
const TEST_TIMEOUT_MS = Math.max(120_000, RUNS * 400);

const CLIENT_ERRORS = ['INVALID_ARGUMENT', 'NOT_FOUND', 'UNIMPLEMENTED', 'FAILED_PRECONDITION', 'RESOURCE_EXHAUSTED'];
const CLIENT_HTTP_STATUSES = [400, 404, 413, 501, 503];

let fixture: GrpcFixture;

beforeAll(async () => {
  fixture = await startGrpcFixture();
});

afterAll(async () => {
  await fixture?.stop();
});

const DTYPES: DataTypeName[] = [
  'DT_FLOAT',
  'DT_DOUBLE',
  'DT_INT32',
  'DT_INT64',
  'DT_BOOL',
  'DT_STRING',
  'DT_UINT8',
  'DT_INT16',
  'DT_INT8',
  'DT_HALF',
  'DT_COMPLEX64',
  'DT_INVALID',
] as DataTypeName[];

const dimension = fc.oneof(
  fc.integer({ min: -3, max: 40 }),
  fc.constantFrom(0, 1, 28, 1024, 1025, 400_000, 2 ** 24, 2 ** 31, 2 ** 40, -(2 ** 40), Number.MAX_SAFE_INTEGER),
);
/** Image-like shapes most of the time (they reach the deepest checks), anything some of the time. */
const shape = fc.oneof(
  fc.tuple(dimension, fc.constantFrom(28, 27), fc.constantFrom(28), fc.constantFrom(1, 0, 3)).map((dims) => [...dims]),
  fc.array(dimension, { maxLength: 7 }),
);

const values = fc.oneof(
  fc.record({ content: fc.uint8Array({ maxLength: 5000 }) }),
  fc.record({ exactContent: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ float_val: fc.array(fc.float(), { maxLength: 40 }) }),
  fc.record({ broadcast: fc.float() }),
  fc.record({ int_val: fc.array(fc.integer(), { maxLength: 40 }) }),
  fc.record({ int64_val: fc.array(fc.maxSafeInteger(), { maxLength: 10 }) }),
  fc.record({ bool_val: fc.array(fc.boolean(), { maxLength: 10 }) }),
  fc.record({ string_val: fc.array(fc.uint8Array({ maxLength: 20 }), { maxLength: 5 }) }),
  fc.constant({}),
);

type Values = {
  content?: Uint8Array;
  exactContent?: number;
  float_val?: number[];
  broadcast?: number;
  int_val?: number[];
  int64_val?: number[];
  bool_val?: boolean[];
  string_val?: Uint8Array[];
};

function tensorProto(dtype: DataTypeName, dims: number[], encoding: Values, unknownRank: boolean): TensorProto {
  const proto: TensorProto = {
    dtype,
    tensor_shape: { ...shapeProto(dims), ...(unknownRank && { unknown_rank: true }) },
  };
  const { exactContent, broadcast, content, ...typed } = encoding;
  if (content) proto.tensor_content = content;
  if (broadcast !== undefined) proto.float_val = [broadcast];
  if (exactContent !== undefined) {
    // The byte count the shape asks for, when that is small enough to send: valid requests happen too.
    const count = dims.reduce((product, size) => product * size, 1);
    if (count >= 0 && count <= 1024 * 784) proto.tensor_content = Buffer.alloc(count * 4, exactContent);
  }
  return Object.assign(proto, typed);
}

const grpcRequest = fc.record({
  name: fc.constantFrom('mnist', 'mnist', 'mnist', 'other'),
  signature: fc.constantFrom(undefined, 'serving_default', 'predict_classes', 'nope'),
  inputName: fc.constantFrom('image', 'image', 'image', 'pixels'),
  dtype: fc.constantFrom(...DTYPES),
  dims: shape,
  encoding: values,
  unknownRank: fc.boolean(),
  outputFilter: fc.constantFrom([], ['scores'], ['nope']),
});

const validGrpc: PredictRequest = { model_spec: { name: 'mnist' }, inputs: { image: contentTensor(imageBatch(1)) } };
const validRestBody = JSON.stringify({ instances: [sampleImage(0)] });

async function restPredict(body: string | Blob): Promise<number> {
  const answer = await fetch(`${fixture.restUrl}/v1/models/mnist:predict`, { method: 'POST', body });
  await answer.arrayBuffer();
  return answer.status;
}

describe('fuzzing the decoders: never a bug status, the server keeps serving', () => {
  it(
    'gRPC Predict with arbitrary shapes, dtypes, encodings and bytes',
    async () => {
      await fc.assert(
        fc.asyncProperty(grpcRequest, async (generated) => {
          const request: PredictRequest = {
            model_spec: { name: generated.name, ...(generated.signature && { signature_name: generated.signature }) },
            inputs: {
              [generated.inputName]: tensorProto(
                generated.dtype,
                generated.dims,
                generated.encoding as Values,
                generated.unknownRank,
              ),
            },
            output_filter: [...generated.outputFilter],
          };
          const error = await fixture.client.predict(request).then(
            () => undefined,
            (thrown: ServiceError) => thrown,
          );
          if (error) expect(CLIENT_ERRORS, `${status[error.code]}: ${error.details}`).toContain(status[error.code]);
          expect((await fixture.client.predict(validGrpc)).outputs.classes!.int64_val).toHaveLength(1);
        }),
        { numRuns: RUNS, seed: SEED },
      );
    },
    TEST_TIMEOUT_MS,
  );

  const json = fc.oneof(
    fc.json({ depthSize: 'medium' }),
    fc.record({ instances: fc.jsonValue({ depthSize: 'medium' }) }).map((doc) => JSON.stringify(doc)),
    fc.record({ inputs: fc.jsonValue({ depthSize: 'medium' }) }).map((doc) => JSON.stringify(doc)),
    fc
      .record({
        signature_name: fc.constantFrom('serving_default', 'predict_classes', 'x'),
        instances: fc.array(
          fc.array(
            fc.array(fc.array(fc.oneof(fc.double(), fc.integer(), fc.boolean(), fc.string()), { maxLength: 3 }), {
              maxLength: 30,
            }),
            { maxLength: 30 },
          ),
          { maxLength: 3 },
        ),
      })
      .map((doc) => JSON.stringify(doc)),
    fc.tuple(fc.nat({ max: 3000 }), fc.nat({ max: 3 })).map(([size, levels]) => {
      // First elements that declare far more values than the body holds.
      let node: unknown = Array(size).fill(0);
      for (let level = 0; level < levels; level++) node = [node, 0];
      return JSON.stringify({ inputs: node });
    }),
    fc.nat({ max: 5000 }).map((depth) => `{"instances": ${'['.repeat(depth)}1${']'.repeat(depth)}}`),
  );

  it(
    'REST predict with arbitrary JSON',
    async () => {
      await fc.assert(
        fc.asyncProperty(json, async (body) => {
          const code = await restPredict(body);
          expect(code === 200 || CLIENT_HTTP_STATUSES.includes(code), `HTTP ${code} for ${body.slice(0, 200)}`).toBe(
            true,
          );
          expect(await restPredict(validRestBody)).toBe(200);
        }),
        { numRuns: RUNS, seed: SEED },
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'REST predict with arbitrary bytes',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (bytes) => {
          const code = await restPredict(new Blob([bytes]));
          expect(code === 200 || CLIENT_HTTP_STATUSES.includes(code), `HTTP ${code}`).toBe(true);
          expect(await restPredict(validRestBody)).toBe(200);
        }),
        { numRuns: RUNS, seed: SEED },
      );
    },
    TEST_TIMEOUT_MS,
  );
});
