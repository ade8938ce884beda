import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { DEFAULT_BATCHING } from '../../../src/serving/batching/batcher.ts';
import { parseModelsConfig } from '../../../src/serving/config/models-config-file.ts';
import { writeServingConfig, type ServingConfigRequest } from '../../../src/serving/config/write-serving-config.ts';
import { tempDir } from '../helpers/export-version.ts';

const MODELS = [
  { name: 'mnist', basePath: 's3://models/ci/mnist' },
  { name: 'fashion_v2', basePath: 's3://models/ci/fashion' },
];

const request = (outDir: string, overrides: Partial<ServingConfigRequest> = {}): ServingConfigRequest => ({
  outDir,
  models: MODELS,
  versionPolicy: { kind: 'latest', numVersions: 2 },
  versionLabels: {},
  batching: DEFAULT_BATCHING,
  enableBatching: true,
  pollWaitSeconds: 2,
  configPollSeconds: 0,
  image: 'tensorflow/serving',
  imageTag: '2.18.0',
  replicas: 3,
  modelsClaim: 'unused-for-stores',
  appName: 'tfs',
  hostPaths: false,
  gpuMemoryFraction: 0.5,
  mnistServeImage: 'registry.example/mnist-serve:1.2.3',
  s3Secret: 'store-credentials',
  syncPollSeconds: 7,
  endpoint: { AWS_ENDPOINT_URL_S3: 'http://minio:9000', AWS_REGION: 'eu-west-1', MNIST_SERVE_S3_FORCE_PATH_STYLE: '1' },
  ...overrides,
});

const documents = (file: string) => YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((doc) => doc.toJS());
const syncArgs = (from: string, to: string, once: boolean) => [
  'sync',
  '--from',
  from,
  '--to',
  to,
  '--policy',
  'latest:2',
  ...(once ? ['--once'] : ['--poll-wait-seconds', '7']),
];
const secretEnv = [
  { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'store-credentials', key: 'AWS_ACCESS_KEY_ID' } } },
  {
    name: 'AWS_SECRET_ACCESS_KEY',
    valueFrom: { secretKeyRef: { name: 'store-credentials', key: 'AWS_SECRET_ACCESS_KEY' } },
  },
];
const endpointEnv = [
  { name: 'AWS_ENDPOINT_URL_S3', value: 'http://minio:9000' },
  { name: 'AWS_REGION', value: 'eu-west-1' },
  { name: 'MNIST_SERVE_S3_FORCE_PATH_STYLE', value: '1' },
];

describe('serving-config for models on an object store', () => {
  it(
    'writes TF Serving files where sync fills an emptyDir, ' +
      'the embedded server and KServe manifests, and no docker-run scripts',
    () => {
      const written = writeServingConfig(request(path.join(tempDir('store-config'), 'serving')));
      expect(Object.keys(written.files).sort()).toEqual([
        'batchingParameters',
        'dockerCompose',
        'embeddedServer',
        'kserve',
        'kubernetes',
        'modelsConfig',
        's3EnvExample',
      ]);
      // TF Serving reads the local copies.
      expect(written.config.models.map((model) => model.basePath)).toEqual(['/models/mnist', '/models/fashion_v2']);

      const [configMap, deployment, service] = documents(written.files.kubernetes);
      expect(parseModelsConfig(configMap.data['models.config'], 'configmap')).toEqual(written.config);
      const pod = deployment.spec.template.spec;
      expect(deployment.spec.replicas).toBe(3);
      expect(pod.volumes).toEqual([
        { name: 'config', configMap: { name: 'tfs-config' } },
        { name: 'models', emptyDir: {} },
      ]);
      expect(pod.initContainers.map((container: { name: string }) => container.name)).toEqual([
        'sync-mnist-once',
        'sync-fashion-v2-once',
      ]);
      expect(pod.initContainers[0]).toEqual({
        name: 'sync-mnist-once',
        image: 'registry.example/mnist-serve:1.2.3',
        args: syncArgs('s3://models/ci/mnist', '/models/mnist', true),
        env: [...endpointEnv, ...secretEnv],
        volumeMounts: [{ name: 'models', mountPath: '/models' }],
      });
      expect(pod.initContainers[1].args).toEqual(syncArgs('s3://models/ci/fashion', '/models/fashion_v2', true));
      const [tfServing, ...sidecars] = pod.containers;
      expect(tfServing.image).toBe('tensorflow/serving:2.18.0');
      expect(tfServing.args).toContain('--model_config_file=/config/models.config');
      expect(tfServing.args).toContain('--file_system_poll_wait_seconds=2');
      expect(tfServing.volumeMounts).toContainEqual({ name: 'models', mountPath: '/models', readOnly: true });
      expect(tfServing.env).toBeUndefined();
      expect(
        sidecars.map((container: { name: string; args: string[]; env: object[] }) => [
          container.name,
          container.args,
          container.env,
        ]),
      ).toEqual([
        ['sync-mnist', syncArgs('s3://models/ci/mnist', '/models/mnist', false), [...endpointEnv, ...secretEnv]],
        [
          'sync-fashion-v2',
          syncArgs('s3://models/ci/fashion', '/models/fashion_v2', false),
          [...endpointEnv, ...secretEnv],
        ],
      ]);
      expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);

      const compose = YAML.parse(fs.readFileSync(written.files.dockerCompose, 'utf8'));
      expect(Object.keys(compose.services)).toEqual([
        'sync-mnist-once',
        'sync-mnist',
        'sync-fashion-v2-once',
        'sync-fashion-v2',
        'tfs',
      ]);
      expect(compose.volumes).toEqual({ models: {} });
      const once = compose.services['sync-mnist-once'];
      expect(once).toEqual({
        image: 'registry.example/mnist-serve:1.2.3',
        command: syncArgs('s3://models/ci/mnist', '/models/mnist', true),
        env_file: ['s3.env'],
        environment: {
          AWS_ENDPOINT_URL_S3: 'http://minio:9000',
          AWS_REGION: 'eu-west-1',
          MNIST_SERVE_S3_FORCE_PATH_STYLE: '1',
        },
        volumes: [{ type: 'volume', source: 'models', target: '/models' }],
      });
      expect(compose.services['sync-mnist']).toMatchObject({
        restart: 'unless-stopped',
        depends_on: { 'sync-mnist-once': { condition: 'service_completed_successfully' } },
      });
      expect(compose.services.tfs.depends_on).toEqual({
        'sync-mnist-once': { condition: 'service_completed_successfully' },
        'sync-fashion-v2-once': { condition: 'service_completed_successfully' },
      });
      expect(compose.services.tfs.volumes).toContainEqual({
        type: 'volume',
        source: 'models',
        target: '/models',
        read_only: true,
      });
      expect(fs.readFileSync(written.files.s3EnvExample!, 'utf8')).toMatch(
        /^AWS_ACCESS_KEY_ID=\nAWS_SECRET_ACCESS_KEY=\n$/m,
      );

      const [embeddedConfig, embedded, embeddedService] = documents(written.files.embeddedServer!);
      // The embedded server reads the store itself.
      expect(
        parseModelsConfig(embeddedConfig.data['models.config'], 'configmap').models.map((model) => model.basePath),
      ).toEqual(['s3://models/ci/mnist', 's3://models/ci/fashion']);
      const server = embedded.spec.template.spec.containers[0];
      expect(server.image).toBe('registry.example/mnist-serve:1.2.3');
      expect(server.args).toEqual([
        'serve',
        '--host',
        '0.0.0.0',
        '--port',
        '8500',
        '--rest-api-port',
        '8501',
        '--model-config-file',
        '/config/models.config',
        '--model-cache-dir',
        '/cache',
        '--file-system-poll-wait-seconds',
        '7',
        '--enable-batching',
        '--batching-parameters-file',
        '/config/batching_parameters.txt',
      ]);
      expect(server.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 8501 });
      expect(server.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 8501 });
      expect(server.env).toEqual([...endpointEnv, ...secretEnv]);
      expect(embedded.spec.template.spec.volumes).toContainEqual({ name: 'cache', emptyDir: {} });
      expect(server.volumeMounts).toContainEqual({ name: 'cache', mountPath: '/cache' });
      expect(embeddedService.spec.selector).toEqual(embedded.spec.selector.matchLabels);

      const [serviceAccount, ...inferenceServices] = documents(written.files.kserve!);
      expect(serviceAccount).toMatchObject({ kind: 'ServiceAccount', secrets: [{ name: 'store-credentials' }] });
      expect(inferenceServices.map((doc) => [doc.apiVersion, doc.kind, doc.metadata.name, doc.spec.predictor])).toEqual(
        [
          [
            'serving.kserve.io/v1beta1',
            'InferenceService',
            'mnist',
            {
              serviceAccountName: serviceAccount.metadata.name,
              tensorflow: { storageUri: 's3://models/ci/mnist', runtimeVersion: '2.18.0' },
            },
          ],
          [
            'serving.kserve.io/v1beta1',
            'InferenceService',
            'fashion-v2',
            {
              serviceAccountName: serviceAccount.metadata.name,
              tensorflow: { storageUri: 's3://models/ci/fashion', runtimeVersion: '2.18.0' },
            },
          ],
        ],
      );
    },
  );

  it('leaves batching out of every file when it is off, and keeps the URIs in models.config with host paths', () => {
    const written = writeServingConfig(
      request(tempDir('store-config-plain'), { enableBatching: false, hostPaths: true }),
    );
    for (const file of [written.files.dockerCompose, written.files.kubernetes, written.files.embeddedServer!])
      expect(fs.readFileSync(file, 'utf8')).not.toContain('batching');
    // For `serve --model-config-file`, which reads the store itself.
    expect(
      parseModelsConfig(fs.readFileSync(written.files.modelsConfig, 'utf8'), 'models.config').models.map(
        (model) => model.basePath,
      ),
    ).toEqual(['s3://models/ci/mnist', 's3://models/ci/fashion']);
  });

  it('refuses a mix of store and local models, and a bad bucket, before writing anything', () => {
    const out = path.join(tempDir('store-config-mixed'), 'serving');
    expect(() =>
      writeServingConfig(request(out, { models: [MODELS[0]!, { name: 'local', basePath: 'models/x' }] })),
    ).toThrow(
      'models: mnist is on an object store and local is a local path; ' +
        'write the files for each kind into its own directory',
    );
    expect(() =>
      writeServingConfig(request(out, { models: [{ name: 'mnist', basePath: 's3://Bad_Bucket/x' }] })),
    ).toThrow(/s3:\/\/Bad_Bucket\/x: expected s3:\/\/BUCKET\/PREFIX/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
