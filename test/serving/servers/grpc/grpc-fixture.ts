/**
 * A real server for gRPC tests: two exported versions (1 labelled stable, 2 canary), the
 * embedded ModelServer (REST on a free port) and a GrpcServer on its PredictionService, with a
 * @grpc/grpc-js client built from the project's .proto files.
 */
import type { TensorProto } from '../../../../src/formats/proto/types.ts';
import type { BatchingParameters } from '../../../../src/serving/batching/batcher.ts';
import { GrpcServer } from '../../../../src/serving/servers/grpc/grpc-server.ts';
import { ServingClient } from '../../../../src/serving/client/grpc-client.ts';
import { silentLogger } from '../../../../src/serving/monitoring/logger.ts';
import { ModelServer } from '../../../../src/serving/servers/model-server.ts';
import { exportVersion, sampleImage, tempDir } from '../../helpers/export-version.ts';

export interface GrpcFixture {
  server: ModelServer;
  grpc: GrpcServer;
  client: ServingClient;
  restUrl: string;
  stop(): Promise<void>;
}

export async function startGrpcFixture(options: { batching?: BatchingParameters } = {}): Promise<GrpcFixture> {
  const basePath = tempDir('grpc');
  await exportVersion(basePath, 1);
  await exportVersion(basePath, 2);
  const server = await ModelServer.start({
    config: {
      models: [
        {
          name: 'mnist',
          basePath,
          platform: 'tensorflow',
          versionPolicy: { kind: 'all' },
          versionLabels: { stable: 1, canary: 2 },
        },
      ],
    },
    batching: options.batching,
    pollWaitSeconds: 0,
    host: '127.0.0.1',
    restPort: 0,
    logger: silentLogger,
  });
  const grpc = new GrpcServer({ service: server.service, metrics: server.metrics, logger: silentLogger });
  const address = await grpc.listen(0, '127.0.0.1');
  const client = new ServingClient(`127.0.0.1:${address.port}`);
  return {
    server,
    grpc,
    client,
    restUrl: `http://127.0.0.1:${server.restAddress.port}`,
    async stop() {
      client.close();
      await grpc.close(1000);
      await server.stop(1000);
    },
  };
}

/** `count` deterministic images as one [N,28,28,1] float tensor's values. */
export function imageBatch(count: number): Float32Array {
  return Float32Array.from(Array.from({ length: count }, (_, i) => sampleImage(i).flat(2)).flat());
}

export function shapeProto(dims: number[]): TensorProto['tensor_shape'] {
  return { dim: dims.map((size) => ({ size })) };
}

/** The images as TF Serving clients' make_tensor_proto sends them: raw bytes in tensor_content. */
export function contentTensor(pixels: Float32Array, count = pixels.length / 784): TensorProto {
  return {
    dtype: 'DT_FLOAT',
    tensor_shape: shapeProto([count, 28, 28, 1]),
    tensor_content: Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength),
  };
}

/** The same images in the typed repeated field. */
export function floatValTensor(pixels: Float32Array, count = pixels.length / 784): TensorProto {
  return { dtype: 'DT_FLOAT', tensor_shape: shapeProto([count, 28, 28, 1]), float_val: Array.from(pixels) };
}
