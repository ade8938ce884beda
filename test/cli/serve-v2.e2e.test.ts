import { beforeAll, describe, expect, it } from 'vitest';
import { startServe } from '../helpers/serve-process.ts';
import { exportVersion, sampleImage, tempDir } from '../serving/helpers/export-version.ts';
import {
  binaryBody,
  binaryOutputs,
  fp32Bytes,
  readFp32,
  rest,
  SpecGrpcClient,
} from '../serving/servers/v2/spec-client.ts';

let base: string;

beforeAll(async () => {
  base = tempDir('cli-serve-v2');
  await exportVersion(base, 1);
}, 120_000);

describe('mnist-serve serve speaks the Open Inference Protocol', () => {
  it('on its REST port (JSON and binary) and its gRPC port, ' +
    'with /healthz and /readyz, answering the same floats', async () => {
    const server = await startServe(['--model-base-path', base, '--file-system-poll-wait-seconds', '0'], {
      grpc: true,
    });
    const client = new SpecGrpcClient(server.grpcAddress!);
    try {
      expect((await rest(`${server.url}/healthz`)).status).toBe(200);
      expect((await rest(`${server.url}/readyz`)).status).toBe(200);
      expect(await rest(`${server.url}/v2/health/ready`)).toMatchObject({ status: 200, json: { ready: true } });
      expect(await client.call('ServerReady', {})).toEqual({ ready: true });
      const pixels = sampleImage(4).flat(2);
      const header = {
        inputs: [{ name: 'image', shape: [1, 28, 28, 1], datatype: 'FP32', parameters: { binary_data_size: 784 * 4 } }],
        parameters: { binary_data_output: true },
      };
      const binary = await rest(`${server.url}/v2/models/mnist/infer`, binaryBody(header, [fp32Bytes(pixels)]));
      expect(binary.status).toBe(200);
      const json = await rest(`${server.url}/v2/models/mnist/infer`, {
        json: { inputs: [{ name: 'image', shape: [1, 28, 28, 1], datatype: 'FP32', data: pixels }] },
      });
      const grpc = await client.call('ModelInfer', {
        model_name: 'mnist',
        inputs: [{ name: 'image', datatype: 'FP32', shape: [1, 28, 28, 1] }],
        raw_input_contents: [fp32Bytes(pixels)],
      });
      const scores = readFp32(binaryOutputs(binary).scores!);
      expect(json.json.outputs[1].data.map(Math.fround)).toEqual(scores);
      expect(readFp32(grpc.raw_output_contents[1])).toEqual(scores);
    } finally {
      client.close();
      server.child.kill('SIGTERM');
    }
    expect(await server.exit).toBe(0);
  }, 120_000);
});
