import { Client, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchingParameters } from '../../../../src/serving/batching/batcher.ts';
import { ServingClient } from '../../../../src/serving/client/grpc-client.ts';
import { GrpcServer, SHUTTING_DOWN_MESSAGE } from '../../../../src/serving/servers/grpc/grpc-server.ts';
import { silentLogger } from '../../../../src/serving/monitoring/logger.ts';
import { ServingMetrics } from '../../../../src/serving/monitoring/metrics.ts';
import { PredictionService } from '../../../../src/serving/predict/prediction-service.ts';
import { contentTensor, imageBatch, shapeProto, startGrpcFixture, type GrpcFixture } from './grpc-fixture.ts';

let fixture: GrpcFixture;
const image = contentTensor(imageBatch(1));

beforeAll(async () => {
  fixture = await startGrpcFixture();
});

afterAll(async () => {
  await fixture?.stop();
});

async function failure(call: Promise<unknown>): Promise<ServiceError> {
  const error = await call.then(
    () => undefined,
    (thrown: ServiceError) => thrown,
  );
  if (!error) throw new Error('the call succeeded; expected a gRPC error');
  return error;
}

function expectStatus(error: ServiceError, code: status, message: RegExp | string): void {
  const details = typeof message === 'string' ? message : expect.stringMatching(message);
  expect({ code: status[error.code], details: error.details }).toEqual({ code: status[code], details });
}

/** A second gRPC server over the same loaded versions, with its own batching and limits. */
async function sideServer(options: { batching?: BatchingParameters; maxMessageBytes?: number }) {
  const metrics = new ServingMetrics();
  const service = new PredictionService(fixture.server.registry, { batching: options.batching, metrics });
  const grpc = new GrpcServer({ service, metrics, logger: silentLogger, maxMessageBytes: options.maxMessageBytes });
  const { port } = await grpc.listen(0, '127.0.0.1');
  return { grpc, metrics, client: new ServingClient(`127.0.0.1:${port}`) };
}

describe('gRPC errors carry TF Serving status codes and name the problem', () => {
  it.each([
    [
      'a tensor of the wrong rank',
      { image: { ...image, tensor_shape: shapeProto([1, 28, 28]), tensor_content: image.tensor_content } },
      /input image: expected shape \[-1,28,28,1\], got \[1,28,28\]/,
    ],
    [
      'a tensor of the wrong dtype',
      { image: { dtype: 'DT_INT32', tensor_shape: shapeProto([1, 28, 28, 1]), int_val: [0] } },
      /input image: expected dtype DT_FLOAT, got DT_INT32/,
    ],
    [
      'tensor_content of the wrong length',
      { image: { ...image, tensor_content: Buffer.alloc(10) } },
      /tensor_content holds 10 bytes, shape \[1,28,28,1\] needs 3136/,
    ],
    ['an input the signature does not have', { image, extra: image }, /Sent extra: \{extra\}/],
    ['no inputs', {}, /Missing but required: \{image\}/],
  ])('INVALID_ARGUMENT for %s', async (_case, inputs, message) => {
    const error = await failure(fixture.client.predict({ model_spec: { name: 'mnist' }, inputs: inputs as never }));
    expectStatus(error, status.INVALID_ARGUMENT, message);
  });

  it(
    'INVALID_ARGUMENT for an unknown signature, ' + 'output_filter entry, version label or a missing ModelSpec',
    async () => {
      const inputs = { image };
      expectStatus(
        await failure(fixture.client.predict({ model_spec: { name: 'mnist', signature_name: 'nope' }, inputs })),
        status.INVALID_ARGUMENT,
        /signature name: "nope" not found/,
      );
      expectStatus(
        await failure(fixture.client.predict({ model_spec: { name: 'mnist' }, inputs, output_filter: ['logits'] })),
        status.INVALID_ARGUMENT,
        /output tensor alias not found in signature: logits/,
      );
      expectStatus(
        await failure(fixture.client.predict({ model_spec: { name: 'mnist', version_label: 'beta' }, inputs })),
        status.INVALID_ARGUMENT,
        /Unrecognized servable version label: beta/,
      );
      expectStatus(await failure(fixture.client.predict({ inputs })), status.INVALID_ARGUMENT, 'Missing ModelSpec');
    },
  );

  it('INVALID_ARGUMENT for metadata requests without, or with an unsupported, metadata_field', async () => {
    expectStatus(
      await failure(fixture.client.getModelMetadata({ model_spec: { name: 'mnist' } })),
      status.INVALID_ARGUMENT,
      'GetModelMetadataRequest must specify at least one metadata_field',
    );
    expectStatus(
      await failure(
        fixture.client.getModelMetadata({ model_spec: { name: 'mnist' }, metadata_field: ['signature_def', 'x'] }),
      ),
      status.INVALID_ARGUMENT,
      'Metadata field x is not supported',
    );
  });

  it('NOT_FOUND for an unknown model or version, in every method', async () => {
    const inputs = { image };
    expectStatus(
      await failure(fixture.client.predict({ model_spec: { name: 'fashion' }, inputs })),
      status.NOT_FOUND,
      'Servable not found for request: Latest(fashion)',
    );
    expectStatus(
      await failure(fixture.client.predict({ model_spec: { name: 'mnist', version: { value: 9 } }, inputs })),
      status.NOT_FOUND,
      'Servable not found for request: Specific(mnist, 9)',
    );
    expectStatus(
      await failure(
        fixture.client.getModelMetadata({ model_spec: { name: 'fashion' }, metadata_field: ['signature_def'] }),
      ),
      status.NOT_FOUND,
      /Latest\(fashion\)/,
    );
    expectStatus(
      await failure(fixture.client.getModelStatus({ model_spec: { name: 'fashion' } })),
      status.NOT_FOUND,
      'Could not find any versions of model fashion',
    );
    expectStatus(
      await failure(fixture.client.getModelStatus({ model_spec: { name: 'mnist', version: { value: 9 } } })),
      status.NOT_FOUND,
      'Could not find version 9 of model mnist',
    );
  });

  it(
    'NOT_FOUND for an unknown model even when its tensor_content is malformed ' + '(the servable is resolved first)',
    async () => {
      const malformed = { image: { ...image, tensor_content: Buffer.alloc(10) } };
      expectStatus(
        await failure(fixture.client.predict({ model_spec: { name: 'fashion' }, inputs: malformed })),
        status.NOT_FOUND,
        'Servable not found for request: Latest(fashion)',
      );
    },
  );

  it.each(['DT_HALF', 'DT_STRING'])(
    'INVALID_ARGUMENT naming both dtypes for %s tensor_content, which the server cannot decode',
    async (dtype) => {
      const inputs = {
        image: { dtype, tensor_shape: shapeProto([1, 28, 28, 1]), tensor_content: Buffer.alloc(784 * 2) },
      };
      const error = await failure(fixture.client.predict({ model_spec: { name: 'mnist' }, inputs: inputs as never }));
      expectStatus(error, status.INVALID_ARGUMENT, `input image: expected dtype DT_FLOAT, got ${dtype}`);
    },
  );

  it(
    'INVALID_ARGUMENT for a request with more rows than max_batch_size ' + '(the default row limit with batching)',
    async () => {
      const batching = {
        maxBatchSize: 2,
        batchTimeoutMicros: 1000,
        maxEnqueuedBatches: 10,
        numBatchThreads: 1,
        allowedBatchSizes: [],
      };
      const side = await sideServer({ batching });
      try {
        const error = await failure(
          side.client.predict({ model_spec: { name: 'mnist' }, inputs: { image: contentTensor(imageBatch(3)) } }),
        );
        expectStatus(error, status.INVALID_ARGUMENT, 'input image: 3 rows exceed the limit of 2 rows per request');
      } finally {
        side.client.close();
        await side.grpc.close(1000);
      }
    },
  );

  // Every method of TF Serving's prediction_service.proto and model_service.proto that we do not serve.
  it.each([
    'PredictionService/Classify',
    'PredictionService/Regress',
    'PredictionService/MultiInference',
    'ModelService/HandleReloadConfigRequest',
    'ModelService/ListModelNames',
  ])('UNIMPLEMENTED for %s', async (method) => {
    const raw = new Client(fixture.client.address, credentials.createInsecure());
    try {
      const error = await failure(
        new Promise((resolve, reject) => {
          const identity = (bytes: Buffer) => bytes;
          raw.makeUnaryRequest(
            `/tensorflow.serving.${method}`,
            identity,
            identity,
            Buffer.alloc(0),
            (thrown, answer) => (thrown ? reject(thrown) : resolve(answer)),
          );
        }),
      );
      expect(status[error.code]).toBe('UNIMPLEMENTED');
      expect(error.details).toContain(method);
    } finally {
      raw.close();
    }
  });

  it('RESOURCE_EXHAUSTED for a request message over the size limit', async () => {
    const side = await sideServer({ maxMessageBytes: 64 * 1024 });
    try {
      const big = contentTensor(imageBatch(30));
      const error = await failure(side.client.predict({ model_spec: { name: 'mnist' }, inputs: { image: big } }));
      expectStatus(error, status.RESOURCE_EXHAUSTED, /larger than max/);
      const small = await side.client.predict({ model_spec: { name: 'mnist' }, inputs: { image } });
      expect(small.outputs.classes!.int64_val).toHaveLength(1);
    } finally {
      side.client.close();
      await side.grpc.close(1000);
    }
  });

  // TF Serving's batch scheduler answers a full queue with UNAVAILABLE (shared_batch_scheduler.h:
  // "If this limit is reached, Schedule() will return an UNAVAILABLE error"), so clients retry.
  it('UNAVAILABLE when the batch queue is full, while the batch already queued is answered', async () => {
    const batching = {
      maxBatchSize: 4,
      batchTimeoutMicros: 500_000,
      maxEnqueuedBatches: 1,
      numBatchThreads: 1,
      allowedBatchSizes: [],
    };
    const side = await sideServer({ batching });
    try {
      const threeImages = { image: contentTensor(imageBatch(3)) };
      const burst = await Promise.allSettled(
        Array.from({ length: 4 }, () => side.client.predict({ model_spec: { name: 'mnist' }, inputs: threeImages })),
      );
      const rejected = burst
        .filter((result) => result.status === 'rejected')
        .map((result) => (result as PromiseRejectedResult).reason as ServiceError);
      expect(burst.filter((result) => result.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
      expect(rejected.length).toBeGreaterThanOrEqual(1);
      for (const error of rejected)
        expectStatus(error, status.UNAVAILABLE, 'The batch scheduling queue to which this task was submitted is full');
    } finally {
      side.client.close();
      await side.grpc.close(1000);
    }
  });
});

describe('graceful shutdown of the gRPC server', () => {
  it('answers new calls UNAVAILABLE while in-flight calls finish, then reports drained', async () => {
    const batching = {
      maxBatchSize: 64,
      batchTimeoutMicros: 600_000,
      maxEnqueuedBatches: 10,
      numBatchThreads: 1,
      allowedBatchSizes: [],
    };
    const side = await sideServer({ batching });
    const late = new ServingClient(side.client.address);
    try {
      // A metadata call opens the connection the late client will use while the server drains.
      await late.getModelMetadata({ model_spec: { name: 'mnist' }, metadata_field: ['signature_def'] });
      const inFlight = side.client.predict({ model_spec: { name: 'mnist' }, inputs: { image } });
      await waitFor(async () => /mnist_serve_batch_queue_depth\{model="mnist"\} 1/.test(await side.metrics.text()));
      const closing = side.grpc.close(10_000);
      const rejected = await failure(late.predict({ model_spec: { name: 'mnist' }, inputs: { image } }));
      expectStatus(rejected, status.UNAVAILABLE, SHUTTING_DOWN_MESSAGE);
      const answered = await inFlight;
      expect(answered.outputs.classes!.int64_val).toHaveLength(1);
      expect(await closing).toEqual({ drained: true });
    } finally {
      late.close();
      side.client.close();
    }
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
