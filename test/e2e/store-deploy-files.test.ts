/**
 * `serving-config` as a CLI, and the commands in the Kubernetes files it writes for s3:// models
 * run as a kubelet would run them (container paths mapped to temporary directories, secretKeyRef
 * resolved from a Secret held here) against a real S3 server: the sync init container fills the
 * volume, and the embedded server becomes ready on its readiness probe.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { DEFAULT_BATCHING } from '../../src/serving/batching/batcher.ts';
import { writeServingConfig } from '../../src/serving/config/write-serving-config.ts';
import { runCli, userStderr } from '../helpers/cli.ts';
import { startServe } from '../helpers/serve-process.ts';
import { exportVersion, tempDir } from '../serving/helpers/export-version.ts';
import { BUCKET, startS3, useS3, type TestS3 } from '../storage/s3-server.ts';

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3();
  useS3(s3);
});
afterAll(async () => {
  await s3?.stop();
});

interface Container {
  args: string[];
  env: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[];
  readinessProbe?: { httpGet: { path: string } };
  livenessProbe?: { httpGet: { path: string } };
}

/** What the kubelet hands the container: plain values, and the Secret's keys for secretKeyRef. */
function containerEnv(container: Container, secrets: Record<string, Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    container.env.map((entry) => [
      entry.name,
      entry.value ?? secrets[entry.valueFrom!.secretKeyRef.name]![entry.valueFrom!.secretKeyRef.key]!,
    ]),
  );
}

describe('deployment files for s3:// models, end to end', () => {
  it('the sync init container fills the models volume, and the embedded server passes its probes', async () => {
    const base = `s3://${BUCKET}/deploy`;
    await exportVersion(base, 1);
    const root = tempDir('deploy-files');
    const written = writeServingConfig({
      outDir: path.join(root, 'out'),
      models: [{ name: 'mnist', basePath: base }],
      versionPolicy: { kind: 'latest', numVersions: 1 },
      versionLabels: {},
      batching: DEFAULT_BATCHING,
      enableBatching: false,
      pollWaitSeconds: 1,
      configPollSeconds: 0,
      image: 'tensorflow/serving',
      imageTag: '2.18.0',
      replicas: 1,
      modelsClaim: 'unused',
      appName: 'tfs',
      hostPaths: false,
      gpuMemoryFraction: 0.5,
      mnistServeImage: 'mnist-serve:test',
      s3Secret: 'store',
      syncPollSeconds: 1,
      endpoint: { AWS_ENDPOINT_URL_S3: s3.env.AWS_ENDPOINT_URL_S3!, AWS_REGION: s3.env.AWS_REGION! },
    });
    // From here on the commands see only what the container spec gives them.
    for (const name of Object.keys(s3.env)) delete process.env[name];
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
    const secrets = {
      store: { AWS_ACCESS_KEY_ID: s3.env.AWS_ACCESS_KEY_ID!, AWS_SECRET_ACCESS_KEY: s3.env.AWS_SECRET_ACCESS_KEY! },
    };
    // The container's absolute paths, under this test's directory.
    const mapped = (args: string[]) =>
      args.map((arg) => (/^\/(models|config|cache)(\/|$)/.test(arg) ? path.join(root, arg) : arg));

    const pod = YAML.parseAllDocuments(fs.readFileSync(written.files.kubernetes, 'utf8'))[1]!.toJS().spec.template.spec;
    const init = pod.initContainers[0] as Container;
    const synced = await runCli(mapped(init.args), { env: containerEnv(init, secrets) });
    expect(synced.code, synced.stderr).toBe(0);
    expect(fs.readdirSync(path.join(root, 'models', 'mnist'))).toEqual(['1']);
    expect(fs.existsSync(path.join(root, 'models', 'mnist', '1', 'saved_model.pb'))).toBe(true);

    const [configMap, deployment] = YAML.parseAllDocuments(fs.readFileSync(written.files.embeddedServer!, 'utf8')).map(
      (doc) => doc.toJS(),
    );
    fs.mkdirSync(path.join(root, 'config'));
    for (const [name, text] of Object.entries(configMap.data as Record<string, string>))
      fs.writeFileSync(path.join(root, 'config', name), text);
    const server = deployment.spec.template.spec.containers[0] as Container;
    expect(server.args[0]).toBe('serve');
    // startServe picks free ports and the loopback address itself.
    const args = mapped(server.args.slice(1)).filter(
      (arg, i, all) =>
        !['--port', '--rest-api-port', '--host'].includes(arg) &&
        !['--port', '--rest-api-port', '--host'].includes(all[i - 1]!),
    );
    const running = await startServe(args, { env: containerEnv(server, secrets) });
    try {
      const probe = async (probePath: string) => (await fetch(`${running.url}${probePath}`)).status;
      expect(await probe(server.livenessProbe!.httpGet.path)).toBe(200);
      let ready = 0;
      for (let attempt = 0; attempt < 120 && ready !== 200; attempt++) {
        ready = await probe(server.readinessProbe!.httpGet.path);
        if (ready !== 200) await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(ready).toBe(200);
    } finally {
      running.child.kill('SIGTERM');
      await running.exit;
    }
  }, 180_000);

  it('serving-config copies the endpoint settings of its environment into the files, ' +
    'and never the credentials', async () => {
    const out = path.join(tempDir('store-config-cli'), 'serving');
    const env = {
      AWS_ENDPOINT_URL_S3: 'http://store.internal:9000',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDLEAKCHECK',
      AWS_SECRET_ACCESS_KEY: 'secret-must-not-leak',
    };
    const result = await runCli(
      [
        'serving-config',
        '--out',
        out,
        '--model',
        'mnist=s3://models/ci/mnist',
        '--s3-secret',
        'creds',
        '--mnist-serve-image',
        'me/mnist-serve:9',
      ],
      { env: { ...process.env, ...env } },
    );
    expect(result.code, result.stderr).toBe(0);
    for (const name of fs.readdirSync(out)) {
      const text = fs.readFileSync(path.join(out, name), 'utf8');
      expect(text).not.toContain('AKIDLEAKCHECK');
      expect(text).not.toContain('secret-must-not-leak');
    }
    const sidecar = YAML.parseAllDocuments(fs.readFileSync(path.join(out, 'kubernetes.yaml'), 'utf8'))[1]!.toJS().spec
      .template.spec.containers[1];
    expect(sidecar.image).toBe('me/mnist-serve:9');
    expect(sidecar.env).toContainEqual({ name: 'AWS_ENDPOINT_URL_S3', value: 'http://store.internal:9000' });
    expect(sidecar.env).toContainEqual({
      name: 'AWS_SECRET_ACCESS_KEY',
      valueFrom: { secretKeyRef: { name: 'creds', key: 'AWS_SECRET_ACCESS_KEY' } },
    });

    const mixed = await runCli([
      'serving-config',
      '--out',
      path.join(out, 'mixed'),
      '--model',
      'mnist=s3://models/a',
      '--model',
      'b=models/b',
    ]);
    expect(mixed.code).toBe(2);
    expect(userStderr(mixed.stderr)).toEqual([
      'mnist-serve: error: models: mnist is on an object store and b is a local path; ' +
        'write the files for each kind into its own directory',
    ]);
  }, 60_000);
});
