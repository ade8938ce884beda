import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { UserInputError } from '../../../src/errors.ts';
import { DEFAULT_BATCHING } from '../../../src/serving/batching/batcher.ts';
import { formatBatchingParameters, parseBatchingParameters } from '../../../src/serving/config/batching-parameters.ts';
import { formatModelsConfig, parseModelsConfig } from '../../../src/serving/config/models-config-file.ts';
import { writeServingConfig, type ServingConfigRequest } from '../../../src/serving/config/write-serving-config.ts';
import type { ServingConfig } from '../../../src/serving/lifecycle/model-server-config.ts';
import { aspiredVersions } from '../../../src/serving/lifecycle/model-server-config.ts';
import { tempDir } from '../helpers/export-version.ts';

const twoModels: ServingConfig = {
  models: [
    {
      name: 'mnist',
      basePath: '/models/mnist',
      platform: 'tensorflow',
      versionPolicy: { kind: 'specific', versions: [2, 3] },
      versionLabels: { stable: 2, canary: 3 },
    },
    {
      name: 'fashion',
      basePath: '/models/fashion',
      platform: 'tensorflow',
      versionPolicy: { kind: 'all' },
      versionLabels: {},
    },
  ],
};

describe('models.config', () => {
  it('writes ModelServerConfig text format that parses back to the same models', () => {
    const text = formatModelsConfig(twoModels);
    expect(text).toContain(
      'model_config_list {\n  config {\n    name: "mnist"\n' +
        '    base_path: "/models/mnist"\n    model_platform: "tensorflow"',
    );
    expect(text).toContain('specific {\n        versions: 2\n        versions: 3\n      }');
    expect(text).toContain('version_labels {\n      key: "stable"\n      value: 2\n    }');
    expect(parseModelsConfig(text, 'models.config')).toEqual(twoModels);
  });

  it('reads what people write by hand: comments, inline messages, the default policy', () => {
    const config = parseModelsConfig(
      '# one model\nmodel_config_list: { config: { name: "m" base_path: "/b" model_platform: "tensorflow" ' +
        'model_version_policy: { latest: { num_versions: 2 } } } }',
      'hand.config',
    );
    expect(config.models[0]).toMatchObject({
      name: 'm',
      versionPolicy: { kind: 'latest', numVersions: 2 },
      versionLabels: {},
    });
    expect(
      parseModelsConfig('model_config_list { config { name: "m" base_path: "/b" } }', 'x').models[0]!.versionPolicy,
    ).toEqual({ kind: 'latest', numVersions: 1 });
  });

  it.each([
    ['', 'expected a model_config_list'],
    ['model_config_list { }', 'holds no config'],
    ['model_config_list { config { base_path: "/b" } }', 'name is missing'],
    ['model_config_list { config { name: "m" } }', 'base_path is missing'],
    [
      'model_config_list { config { name: "m" base_path: "/b" model_platform: "pytorch" } }',
      'model_platform "pytorch" is not supported',
    ],
    [
      'model_config_list { config { name: "m" base_path: "/b" model_version_policy { newest {} } } }',
      'unknown policy "newest"',
    ],
    [
      'model_config_list { config { name: "m" base_path: "/b" } config { name: "m" base_path: "/c" } }',
      'model name "m" appears twice',
    ],
    [
      'model_config_list { config { name: "m" base_path: "/b" version_labels { key: "x" } } }',
      'version_labels needs a key and a non-negative integer value',
    ],
  ])('rejects %j naming the problem', (text, message) => {
    expect(() => parseModelsConfig(text, 'bad.config')).toThrow(UserInputError);
    expect(() => parseModelsConfig(text, 'bad.config')).toThrow(message);
  });
});

describe('version policies', () => {
  it('pick the aspired versions out of those on disk', () => {
    expect(aspiredVersions({ kind: 'latest', numVersions: 2 }, [1, 10, 3])).toEqual([10, 3]);
    expect(aspiredVersions({ kind: 'specific', versions: [1, 4] }, [1, 2, 3])).toEqual([1]);
    expect(aspiredVersions({ kind: 'all' }, [2, 1])).toEqual([2, 1]);
  });
});

describe('batching_parameters.txt', () => {
  it('writes the notebook values as wrapped fields and parses them back', () => {
    const text = formatBatchingParameters({ ...DEFAULT_BATCHING, allowedBatchSizes: [64, 1024] });
    expect(text).toBe(
      'max_batch_size {\n  value: 1024\n}\nbatch_timeout_micros {\n  value: 1000\n}\n' +
        'max_enqueued_batches {\n  value: 100\n}\n' +
        'num_batch_threads {\n  value: 4\n}\nallowed_batch_sizes: 64\nallowed_batch_sizes: 1024\n',
    );
    expect(parseBatchingParameters(text, 'b.txt')).toEqual({ ...DEFAULT_BATCHING, allowedBatchSizes: [64, 1024] });
  });

  it('takes defaults for fields left out', () => {
    expect(parseBatchingParameters('max_batch_size { value: 32 }', 'b.txt')).toEqual({
      ...DEFAULT_BATCHING,
      maxBatchSize: 32,
    });
  });

  it.each([
    ['pad_variable_length_inputs: true', 'field pad_variable_length_inputs is not supported'],
    ['max_batch_size: 3', 'must appear once, as max_batch_size { value: N }'],
    ['max_batch_size { value: 0 }', 'max_batch_size.value: expected a positive integer'],
    [
      'max_batch_size { value: 8 } allowed_batch_sizes: 4',
      'allowed_batch_sizes must increase and end with max_batch_size (8)',
    ],
  ])('rejects %j', (text, message) => {
    expect(() => parseBatchingParameters(text, 'b.txt')).toThrow(message);
  });
});

describe('TF Serving deployment files', () => {
  const request = (outDir: string, overrides: Partial<ServingConfigRequest> = {}): ServingConfigRequest => ({
    outDir,
    models: [{ name: 'mnist', basePath: path.join(outDir, '..', 'versions') }],
    versionPolicy: { kind: 'latest', numVersions: 2 },
    versionLabels: { stable: 2 },
    batching: DEFAULT_BATCHING,
    enableBatching: true,
    pollWaitSeconds: 5,
    configPollSeconds: 30,
    image: 'tensorflow/serving',
    imageTag: '2.18.0',
    replicas: 3,
    modelsClaim: 'claim',
    appName: 'tfs',
    hostPaths: false,
    gpuMemoryFraction: 0.25,
    mnistServeImage: 'mnist-serve:test',
    s3Secret: 'secret',
    syncPollSeconds: 10,
    endpoint: {},
    ...overrides,
  });

  it('writes every file, each parseable and holding the chosen values', () => {
    const out = path.join(tempDir('serving-config'), 'serving');
    const written = writeServingConfig(request(out));
    const config = parseModelsConfig(fs.readFileSync(written.files.modelsConfig, 'utf8'), 'models.config');
    expect(config.models[0]).toMatchObject({
      name: 'mnist',
      basePath: '/models/mnist',
      versionLabels: { stable: 2 },
      versionPolicy: { kind: 'latest', numVersions: 2 },
    });
    expect(parseBatchingParameters(fs.readFileSync(written.files.batchingParameters, 'utf8'), 'b')).toEqual(
      DEFAULT_BATCHING,
    );

    const run = fs.readFileSync(written.files.dockerRun!, 'utf8');
    const hostVersions = path.resolve(out, '..', 'versions');
    expect(run).toContain(`--mount type=bind,source=${hostVersions},target=/models/mnist,readonly`);
    expect(run).toContain(`--mount type=bind,source=${out},target=/config,readonly`);
    expect(run).toContain('-p 8500:8500 -p 8501:8501');
    expect(run).toContain('tensorflow/serving:2.18.0 \\');
    const serverFlags = [
      '--model_config_file=/config/models.config',
      '--enable_batching=true',
      '--batching_parameters_file=/config/batching_parameters.txt',
      '--file_system_poll_wait_seconds=5',
      '--model_config_file_poll_wait_seconds=30',
    ];
    for (const flag of serverFlags) expect(run).toContain(flag);
    expect(fs.statSync(written.files.dockerRun!).mode & 0o111).not.toBe(0);
    const gpu = fs.readFileSync(written.files.dockerRunGpu!, 'utf8');
    expect(gpu).toContain('--gpus all');
    expect(gpu).toContain('tensorflow/serving:2.18.0-gpu');
    for (const flag of serverFlags) expect(gpu).toContain(flag);
    expect(gpu).toContain('--per_process_gpu_memory_fraction=0.25');
    expect(run).not.toContain('per_process_gpu_memory_fraction');

    const compose = YAML.parse(fs.readFileSync(written.files.dockerCompose, 'utf8'));
    const service = compose.services.tfs;
    expect(service.image).toBe('tensorflow/serving:2.18.0');
    expect(service.ports).toEqual(['8500:8500', '8501:8501']);
    expect(service.volumes).toContainEqual({
      type: 'bind',
      source: '../versions',
      target: '/models/mnist',
      read_only: true,
    });
    expect(service.command).toEqual(expect.arrayContaining(serverFlags));

    const [configMap, deployment, k8sService] = YAML.parseAllDocuments(
      fs.readFileSync(written.files.kubernetes, 'utf8'),
    ).map((doc) => doc.toJS());
    expect(configMap.kind).toBe('ConfigMap');
    expect(parseModelsConfig(configMap.data['models.config'], 'configmap')).toEqual(config);
    expect(deployment.kind).toBe('Deployment');
    expect(deployment.spec.replicas).toBe(3);
    const container = deployment.spec.template.spec.containers[0];
    expect(container.readinessProbe.httpGet).toEqual({ path: '/v1/models/mnist', port: 8501 });
    expect(container.args).toEqual(expect.arrayContaining(serverFlags));
    expect(deployment.spec.template.spec.volumes).toContainEqual({
      name: 'models',
      persistentVolumeClaim: { claimName: 'claim', readOnly: true },
    });
    expect(k8sService.kind).toBe('Service');
    expect(k8sService.spec.ports.map((port: { port: number }) => port.port)).toEqual([8500, 8501]);
    expect(k8sService.spec.selector).toEqual(deployment.spec.selector.matchLabels);
  });

  it('leaves batching and the config poll out when asked, and writes host paths for the embedded server', () => {
    const out = tempDir('serving-config-host');
    const written = writeServingConfig(request(out, { enableBatching: false, configPollSeconds: 0, hostPaths: true }));
    const files = [
      written.files.dockerRun!,
      written.files.dockerRunGpu!,
      written.files.dockerCompose,
      written.files.kubernetes,
    ].map((file) => fs.readFileSync(file, 'utf8'));
    for (const text of files) {
      expect(text).not.toContain('batching');
      expect(text).not.toContain('model_config_file_poll_wait_seconds');
    }
    expect(written.config.models[0]!.basePath).toBe(path.resolve(out, '..', 'versions'));
  });

  it.each([0, -0.5, 1.5, Number.NaN])('refuses GPU memory fraction %s before writing anything', (fraction) => {
    const out = path.join(tempDir('serving-config-gpu'), 'serving');
    expect(() => writeServingConfig(request(out, { gpuMemoryFraction: fraction }))).toThrow(
      /GPU memory fraction must be greater than 0 and at most 1/,
    );
    expect(fs.existsSync(out)).toBe(false);
  });
});
