import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageBatch, startGrpcFixture, type GrpcFixture } from '../grpc/grpc-fixture.ts';
import { sampleImage } from '../../helpers/export-version.ts';
import { binaryBody, binaryOutputs, fp32Bytes, readInt64, rest, SpecGrpcClient } from './spec-client.ts';

let fixture: GrpcFixture;
let client: SpecGrpcClient;

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
  client = new SpecGrpcClient(`127.0.0.1:${fixture.grpc.address.port}`);
});

afterAll(async () => {
  client?.close();
  await fixture?.stop();
});

describe('the v2 protocol shares batchers with TF Serving API', () => {
  it(
    'merges a v1 REST, a v2 binary REST and a v2 gRPC request into one engine call, ' +
      'each answered with its own rows',
    async () => {
      const pixels = imageBatch(3);
      const header = {
        inputs: [
          { name: 'image', shape: [2, 28, 28, 1], datatype: 'FP32', parameters: { binary_data_size: 2 * 784 * 4 } },
        ],
        outputs: [{ name: 'classes', parameters: { binary_data: true } }],
      };
      const [v1, v2Rest, v2Grpc] = await Promise.all([
        rest(`${fixture.restUrl}/v1/models/mnist/versions/2:predict`, {
          json: { instances: [sampleImage(0), sampleImage(1), sampleImage(2)] },
        }),
        rest(
          `${fixture.restUrl}/v2/models/mnist/versions/2/infer`,
          binaryBody(header, [fp32Bytes(pixels.subarray(0, 2 * 784))]),
        ),
        client.call('ModelInfer', {
          model_name: 'mnist',
          model_version: '2',
          inputs: [
            {
              name: 'image',
              datatype: 'FP32',
              shape: [1, 28, 28, 1],
              contents: { fp32_contents: Array.from(pixels.subarray(2 * 784)) },
            },
          ],
          outputs: [{ name: 'classes' }],
        }),
      ]);
      const classes = v1.json.predictions.map((row: { classes: number }) => row.classes);
      expect(readInt64(binaryOutputs(v2Rest).classes!)).toEqual(classes.slice(0, 2));
      expect(v2Grpc.outputs[0].contents.int64_contents).toEqual(classes.slice(2));
      const metrics = await fixture.server.metrics.text();
      expect(metrics).toContain('mnist_serve_batch_size_count{model="mnist"} 1');
      expect(metrics).toContain('mnist_serve_batch_size_sum{model="mnist"} 6');
    },
  );
});
