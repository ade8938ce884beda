import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServingClient } from '../../src/serving/client/grpc-client.ts';
import { runCli, userStderr } from '../helpers/cli.ts';
import { startServe, type RunningServe } from '../helpers/serve-process.ts';
import { contentTensor, imageBatch } from '../serving/servers/grpc/grpc-fixture.ts';
import { exportVersion, tempDir } from '../serving/helpers/export-version.ts';

let base: string;
let imageFile: string;
let serve: RunningServe;

beforeAll(async () => {
  base = tempDir('cli-predict-grpc');
  await exportVersion(base, 1);
  await exportVersion(base, 2);
  const png = new PNG({ width: 40, height: 40 });
  for (let i = 0; i < 40 * 40; i++) {
    const [x, y] = [i % 40, Math.floor(i / 40)];
    const ink = (x > 12 && x < 18) || (y > 30 && y < 35 && x > 8);
    png.data.set([ink ? 0 : 255, ink ? 0 : 255, ink ? 0 : 255, 255], i * 4);
  }
  imageFile = path.join(tempDir('cli-predict-grpc-image'), 'digit.png');
  fs.writeFileSync(imageFile, PNG.sync.write(png));
  serve = await startServe(['--model-base-path', base], { grpc: true });
}, 180_000);

afterAll(async () => {
  if (serve && serve.child.exitCode === null) {
    serve.child.kill('SIGTERM');
    await serve.exit;
  }
});

describe('mnist-serve predict --grpc', () => {
  it('classifies exactly as the REST path does, through TF Serving’s gRPC API', async () => {
    const grpc = await runCli(['predict', '--grpc', serve.grpcAddress!, '--image', imageFile, '--json']);
    const rest = await runCli(['predict', '--server', serve.url, '--image', imageFile, '--json']);
    expect(grpc.code).toBe(0);
    expect(rest.code).toBe(0);
    const grpcReport = JSON.parse(grpc.stdout);
    const restReport = JSON.parse(rest.stdout);
    expect(grpcReport).toMatchObject({
      server: serve.grpcAddress!,
      model: 'mnist',
      version: 2,
      signature: 'serving_default',
    });
    // Both carry the same float32 scores; REST's JSON prints them shorter (TF Serving's %.9g).
    const asFloat32 = (report: { results: { top: { class: number; score: number }[] }[] }) => ({
      ...report,
      server: '',
      results: report.results.map((result) => ({
        ...result,
        top: result.top.map((entry) => ({ ...entry, score: Math.fround(entry.score) })),
      })),
    });
    expect(asFloat32(grpcReport)).toEqual(asFloat32(restReport));
    expect(grpcReport.results[0].top).toHaveLength(3);
  }, 60_000);

  it('reads the notebook signature predict_classes: ' +
    'class = argmax of decoded, top scores as serving_default, REST and gRPC', async () => {
    const classes = await runCli([
      'predict',
      '--grpc',
      serve.grpcAddress!,
      '--signature-name',
      'predict_classes',
      '--image',
      imageFile,
      '--json',
    ]);
    const restClasses = await runCli([
      'predict',
      '--server',
      serve.url,
      '--signature-name',
      'predict_classes',
      '--image',
      imageFile,
      '--json',
    ]);
    const main = await runCli(['predict', '--grpc', serve.grpcAddress!, '--image', imageFile, '--json']);
    for (const result of [classes, restClasses, main]) expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(classes.stdout);
    expect(report).toMatchObject({ version: 2, signature: 'predict_classes' });
    const reference = JSON.parse(main.stdout).results[0];
    expect(report.results[0].top).toHaveLength(3);
    expect(report.results[0]).toEqual(reference);
    const rest = JSON.parse(restClasses.stdout).results[0];
    expect(rest.class).toBe(reference.class);
    expect(rest.top.map((entry: { score: number }) => Math.fround(entry.score))).toEqual(
      reference.top.map((entry: { score: number }) => Math.fround(entry.score)),
    );
    const text = await runCli([
      'predict',
      '--grpc',
      serve.grpcAddress!,
      '--signature-name',
      'predict_classes',
      '--image',
      imageFile,
    ]);
    expect(text.stdout).toContain(`${reference.class}: ${reference.top[0].score.toFixed(4)}`);
  }, 60_000);

  it.each([
    [['--version', '1'], 2, 'GetModelMetadata: NOT_FOUND: Servable not found for request: Specific(mnist, 1)'],
    [['--model-name', 'fashion'], 2, 'GetModelMetadata: NOT_FOUND: Servable not found for request: Latest(fashion)'],
    [
      ['--signature-name', 'nope'],
      2,
      'Predict: INVALID_ARGUMENT: Serving signature name: "nope" not found in signature def',
    ],
  ])(
    'exits 2 with the server’s status code and message for %j',
    async (args, code, message) => {
      const result = await runCli(['predict', '--grpc', serve.grpcAddress!, '--image', imageFile, ...args]);
      expect(result.code).toBe(code);
      expect(userStderr(result.stderr)).toEqual([`mnist-serve: error: ${serve.grpcAddress!} ${message}`]);
    },
    60_000,
  );

  it('exits 1 when nothing listens at the address, and 2 for a malformed one or both transports', async () => {
    const unreachable = await runCli(['predict', '--grpc', '127.0.0.1:1', '--image', imageFile]);
    expect(unreachable.code).toBe(1);
    expect(userStderr(unreachable.stderr).join('\n')).toMatch(
      /^mnist-serve: error: the gRPC server at 127\.0\.0\.1:1 is unavailable: No connection established/,
    );
    const malformed = await runCli(['predict', '--grpc', 'http://127.0.0.1:8500', '--image', imageFile]);
    expect(malformed.code).toBe(2);
    expect(userStderr(malformed.stderr).join('\n')).toContain('expected HOST:PORT, e.g. 127.0.0.1:8500');
    const both = await runCli(['predict', '--grpc', serve.grpcAddress!, '--server', serve.url, '--image', imageFile]);
    expect(both.code).toBe(2);
    expect(userStderr(both.stderr)).toEqual(['mnist-serve: error: use either --server or --grpc, not both']);
  }, 60_000);
});

describe('mnist-serve serve --port', () => {
  it('drains an in-flight gRPC call on SIGTERM and reports the gRPC address', async () => {
    const batchingFile = path.join(tempDir('cli-grpc-batching'), 'batching_parameters.txt');
    // A long batch timeout keeps the call in flight while SIGTERM arrives.
    fs.writeFileSync(batchingFile, 'max_batch_size { value: 64 }\nbatch_timeout_micros { value: 1500000 }\n');
    const draining = await startServe(
      ['--model-base-path', base, '--enable-batching', '--batching-parameters-file', batchingFile, '--json'],
      { grpc: true },
    );
    const client = new ServingClient(draining.grpcAddress!);
    try {
      const inFlight = client.predict({
        model_spec: { name: 'mnist' },
        inputs: { image: contentTensor(imageBatch(1)) },
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      draining.child.kill('SIGTERM');
      const answer = await inFlight;
      expect(answer.outputs.classes!.int64_val).toHaveLength(1);
      expect(await draining.exit).toBe(0);
      const [host, port] = draining.grpcAddress!.split(':');
      expect(JSON.parse(draining.stdout())).toMatchObject({
        stopped: true,
        signal: 'SIGTERM',
        drained: true,
        grpc: { host, port: Number(port) },
      });
    } finally {
      client.close();
    }
  }, 120_000);
});
