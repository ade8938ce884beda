/**
 * A second judge in another language: a Python client written from the protocol's specification
 * (v2_python_client.py: urllib + numpy for REST JSON and binary, grpcio with ModelInfer declared
 * from the published field numbers) against the real server; every path must answer TF Serving's
 * floats. Runs wherever Python TensorFlow is installed (grpcio, numpy and protobuf come with it).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noPythonTf, pythonTf } from '../../../helpers/python-tf.ts';
import { shapeProto, startGrpcFixture, type GrpcFixture } from '../grpc/grpc-fixture.ts';

const CLIENT_SCRIPT = fs.readFileSync(
  path.join(path.dirname(fileURLToPath(import.meta.url)), 'v2_python_client.py'),
  'utf8',
);

let fixture: GrpcFixture;

/** Runs the client without blocking this process, which serves its requests. */
function runClient(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      pythonTf!.python,
      ['-c', CLIENT_SCRIPT, ...args],
      { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`python client failed: ${stderr.trim().split('\n').slice(-8).join('\n')}`))
          : resolve(stdout),
    );
  });
}

beforeAll(async () => {
  if (!noPythonTf) fixture = await startGrpcFixture();
});

afterAll(async () => {
  await fixture?.stop();
});

describe.skipIf(noPythonTf)('a Python Open Inference Protocol client', () => {
  it('gets the same floats over REST JSON, REST binary and gRPC raw and typed as TF Serving gRPC gives', async () => {
    const answers = JSON.parse(await runClient([fixture.restUrl, `127.0.0.1:${fixture.grpc.address.port}`]));
    const v1 = await fixture.client.predict({
      model_spec: { name: 'mnist' },
      inputs: { image: { dtype: 'DT_FLOAT', tensor_shape: shapeProto([2, 28, 28, 1]), float_val: answers.images } },
    });
    const scores = v1.outputs.scores!.float_val;
    expect(answers.json.id).toBe('py-json');
    expect(answers.json.outputs[1].data.map(Math.fround)).toEqual(scores);
    expect(answers.binary.scores).toEqual(scores);
    expect(answers.binary.classes).toEqual(v1.outputs.classes!.int64_val);
    expect(answers.grpc).toMatchObject({ id: 'py-grpc', model_version: '2', outputs: ['classes', 'scores'] });
    expect(answers.grpc.raw_scores).toEqual(scores);
    expect(answers.grpc.typed_scores).toEqual(scores);
  });
});
