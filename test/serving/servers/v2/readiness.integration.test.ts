import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GrpcServer } from '../../../../src/serving/servers/grpc/grpc-server.ts';
import { silentLogger } from '../../../../src/serving/monitoring/logger.ts';
import { exportVersion, tempDir } from '../../helpers/export-version.ts';
import { modelConfig, startServer, type TestServer } from '../../helpers/test-server.ts';
import { binaryBody, fp32Bytes, rest, SpecGrpcClient } from './spec-client.ts';

let served: TestServer;
let grpc: GrpcServer;
let client: SpecGrpcClient;
let lateBase: string;
let emptyBase: string;

beforeAll(async () => {
  const base = tempDir('ready');
  await exportVersion(base, 1);
  lateBase = tempDir('ready-late');
  // A version TensorFlow cannot load: the model has a version, but none AVAILABLE.
  fs.mkdirSync(path.join(lateBase, '1'));
  fs.writeFileSync(path.join(lateBase, '1', 'saved_model.pb'), 'not a SavedModel');
  emptyBase = tempDir('ready-empty');
  served = await startServer(
    [modelConfig(base), modelConfig(emptyBase, { name: 'empty' }), modelConfig(lateBase, { name: 'late' })],
    { maxBodyBytes: 10_000 },
  );
  grpc = new GrpcServer({ service: served.server.service, metrics: served.server.metrics, logger: silentLogger });
  client = new SpecGrpcClient(`127.0.0.1:${(await grpc.listen(0, '127.0.0.1')).port}`);
}, 120_000);

afterAll(async () => {
  client?.close();
  await grpc?.close(1000);
  await served?.server.stop(1000);
});

const url = (route: string) => `${served.url}${route}`;

describe('readiness while a configured model has no AVAILABLE version', () => {
  it('stays live: /healthz and /v2/health/live answer 200', async () => {
    expect(await rest(url('/healthz'))).toMatchObject({ status: 200, json: { status: 'ok' } });
    expect(await rest(url('/v2/health/live'))).toMatchObject({ status: 200, json: { live: true } });
    expect(await client.call('ServerLive', {})).toEqual({ live: true });
  });

  it('is not ready: /readyz, /v2/health/ready and ServerReady say so, naming each model and why', async () => {
    const readyz = await rest(url('/readyz'));
    expect(readyz.status).toBe(503);
    expect(readyz.json.error).toMatch(/model empty has no versions under its base path yet/);
    expect(readyz.json.error).toMatch(/model late has no AVAILABLE version \(versions: 1 END \(.+\)\)/);
    expect(readyz.json.error).not.toMatch(/model mnist/);
    expect(await rest(url('/v2/health/ready'))).toMatchObject({
      status: 503,
      json: { ready: false, error: readyz.json.error },
    });
    expect(await client.call('ServerReady', {})).toEqual({ ready: false });
  });

  it('reports per model: the loaded one ready, the others 503 and their inference 404', async () => {
    expect(await rest(url('/v2/models/mnist/ready'))).toMatchObject({ status: 200, json: { ready: true } });
    expect(await rest(url('/v2/models/empty/ready'))).toMatchObject({
      status: 503,
      json: { name: 'empty', ready: false },
    });
    expect(await client.call('ModelReady', { name: 'late' })).toEqual({ ready: false });
    const infer = await rest(url('/v2/models/empty/infer'), {
      json: { inputs: [{ name: 'image', shape: [1, 28, 28, 1], datatype: 'FP32', data: new Array(784).fill(0) }] },
    });
    expect(infer).toMatchObject({
      status: 404,
      json: { error: expect.stringMatching(/Servable not found for request: Latest\(empty\)/) },
    });
  });

  it('answers 413 for a v2 body over the limit, JSON or binary', async () => {
    const image = new Array(784).fill(1 / 3);
    const json = await rest(url('/v2/models/mnist/infer'), {
      json: { inputs: [{ name: 'image', shape: [1, 28, 28, 1], datatype: 'FP32', data: image }] },
    });
    expect(json).toMatchObject({ status: 413, json: { error: expect.stringMatching(/limit of 10000 bytes/) } });
    const header = {
      inputs: [{ name: 'image', shape: [1, 28, 28, 1], datatype: 'FP32', parameters: { binary_data_size: 784 * 4 } }],
    };
    const fits = await rest(url('/v2/models/mnist/infer'), binaryBody(header, [fp32Bytes(image)]));
    expect(fits.status).toBe(200);
  });

  it('becomes ready once every model has an AVAILABLE version', async () => {
    await exportVersion(emptyBase, 1);
    await exportVersion(lateBase, 2);
    await served.server.registry.pollAll();
    expect(await rest(url('/readyz'))).toMatchObject({ status: 200, json: { status: 'ready' } });
    expect(await rest(url('/v2/health/ready'))).toMatchObject({ status: 200, json: { ready: true } });
    expect(await client.call('ServerReady', {})).toEqual({ ready: true });
  });
});
