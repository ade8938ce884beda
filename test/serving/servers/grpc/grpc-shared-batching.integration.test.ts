import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleImage } from '../../helpers/export-version.ts';
import { contentTensor, imageBatch, startGrpcFixture, type GrpcFixture } from './grpc-fixture.ts';

let fixture: GrpcFixture;

beforeAll(async () => {
  // A long batch timeout: requests arriving within it share one engine call.
  fixture = await startGrpcFixture({
    batching: {
      maxBatchSize: 64,
      batchTimeoutMicros: 400_000,
      maxEnqueuedBatches: 10,
      numBatchThreads: 1,
      allowedBatchSizes: [],
    },
  });
});

afterAll(async () => {
  await fixture?.stop();
});

describe('gRPC and REST share one server', () => {
  it('merges a gRPC and a REST request for the same version into one batch, and each gets its own rows', async () => {
    const [grpc, rest] = await Promise.all([
      fixture.client.predict({
        model_spec: { name: 'mnist', version: { value: 2 } },
        inputs: { image: contentTensor(imageBatch(2)) },
      }),
      fetch(`${fixture.restUrl}/v1/models/mnist/versions/2:predict`, {
        method: 'POST',
        body: JSON.stringify({ instances: [sampleImage(0), sampleImage(1), sampleImage(2)] }),
      }),
    ]);
    const restBody = (await rest.json()) as { predictions: { classes: number }[] };
    expect(grpc.outputs.classes!.int64_val).toHaveLength(2);
    expect(restBody.predictions).toHaveLength(3);
    expect(grpc.outputs.classes!.int64_val).toEqual(restBody.predictions.slice(0, 2).map((row) => row.classes));
    const metrics = await fixture.server.metrics.text();
    expect(metrics).toContain('mnist_serve_batch_size_count{model="mnist"} 1');
    expect(metrics).toContain('mnist_serve_batch_size_sum{model="mnist"} 5');
    expect(metrics).toMatch(/mnist_serve_requests_total\{transport="grpc",model="mnist",api="predict",code="OK"\} 1/);
    expect(metrics).toMatch(/mnist_serve_requests_total\{transport="rest",model="mnist",api="predict",code="OK"\} 1/);
  });
});
