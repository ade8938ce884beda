import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { parseBatchingParameters } from '../../src/serving/config/batching-parameters.ts';
import { parseModelsConfig } from '../../src/serving/config/models-config-file.ts';
import { runCli, userStderr } from '../helpers/cli.ts';
import { tempDir } from '../serving/helpers/export-version.ts';

describe('mnist-serve serving-config', () => {
  it('writes the TF Serving files for several models with labels, a policy and batching values', async () => {
    const out = path.join(tempDir('cli-serving-config'), 'serving');
    const result = await runCli([
      'serving-config',
      '--out',
      out,
      '--model',
      'mnist=models/a',
      '--model',
      'fashion=models/b',
      '--label',
      'stable=2',
      '--label',
      'canary=3',
      '--policy',
      'specific:2,3',
      '--max-batch-size',
      '256',
      '--batch-timeout-micros',
      '500',
      '--allowed-batch-sizes',
      '64,256',
      '--replicas',
      '4',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const written = JSON.parse(result.stdout);
    expect(Object.keys(written.files).sort()).toEqual([
      'batchingParameters',
      'dockerCompose',
      'dockerRun',
      'dockerRunGpu',
      'kubernetes',
      'modelsConfig',
    ]);
    const config = parseModelsConfig(fs.readFileSync(path.join(out, 'models.config'), 'utf8'), 'models.config');
    expect(config.models.map((model) => [model.name, model.basePath])).toEqual([
      ['mnist', '/models/mnist'],
      ['fashion', '/models/fashion'],
    ]);
    expect(config.models[0]).toMatchObject({
      versionPolicy: { kind: 'specific', versions: [2, 3] },
      versionLabels: { stable: 2, canary: 3 },
    });
    expect(
      parseBatchingParameters(fs.readFileSync(path.join(out, 'batching_parameters.txt'), 'utf8'), 'b'),
    ).toMatchObject({ maxBatchSize: 256, batchTimeoutMicros: 500, allowedBatchSizes: [64, 256] });
    const run = fs.readFileSync(path.join(out, 'docker-run.sh'), 'utf8');
    expect(run).toContain(`source=${path.resolve('models/a')},target=/models/mnist`);
    expect(run).toContain(`source=${path.resolve('models/b')},target=/models/fashion`);
    const deployment = YAML.parseAllDocuments(fs.readFileSync(path.join(out, 'kubernetes.yaml'), 'utf8'))[1]!.toJS();
    expect(deployment.spec.replicas).toBe(4);
  }, 60_000);

  it('re-reads models.config every 60 s in every generated TF Serving command by default, ' +
    '--config-poll-seconds N otherwise', async () => {
    const commands = (out: string) => {
      const read = (name: string) => fs.readFileSync(path.join(out, name), 'utf8');
      const k8s = YAML.parseAllDocuments(read('kubernetes.yaml'))[1]!.toJS();
      return [
        read('docker-run.sh'),
        read('docker-run-gpu.sh'),
        YAML.parse(read('docker-compose.yml')).services['tf-serving'].command.join(' '),
        k8s.spec.template.spec.containers[0].args.join(' '),
      ];
    };
    const byDefault = path.join(tempDir('cli-config-poll'), 'serving');
    expect((await runCli(['serving-config', '--out', byDefault])).code).toBe(0);
    for (const command of commands(byDefault)) expect(command).toContain('--model_config_file_poll_wait_seconds=60');
    const every5 = path.join(tempDir('cli-config-poll'), 'serving');
    expect((await runCli(['serving-config', '--out', every5, '--config-poll-seconds', '5'])).code).toBe(0);
    for (const command of commands(every5)) expect(command).toContain('--model_config_file_poll_wait_seconds=5');
    const off = path.join(tempDir('cli-config-poll'), 'serving');
    expect((await runCli(['serving-config', '--out', off, '--config-poll-seconds', '0'])).code).toBe(0);
    for (const command of commands(off)) expect(command).not.toContain('model_config_file_poll_wait_seconds');
  }, 60_000);

  it("passes the notebook's --per_process_gpu_memory_fraction (default 0.5) in the GPU variant only", async () => {
    const read = (out: string) => {
      const file = (name: string) => fs.readFileSync(path.join(out, name), 'utf8');
      const k8s = YAML.parseAllDocuments(file('kubernetes.yaml'))[1]!.toJS();
      return {
        gpu: file('docker-run-gpu.sh'),
        cpu: [file('docker-run.sh'), file('docker-compose.yml'), k8s.spec.template.spec.containers[0].args.join(' ')],
      };
    };
    const byDefault = path.join(tempDir('cli-gpu'), 'serving');
    expect((await runCli(['serving-config', '--out', byDefault])).code).toBe(0);
    expect(read(byDefault).gpu).toMatch(/ --per_process_gpu_memory_fraction=0\.5$/m);
    for (const text of read(byDefault).cpu) expect(text).not.toContain('per_process_gpu_memory_fraction');
    const quarter = path.join(tempDir('cli-gpu'), 'serving');
    expect((await runCli(['serving-config', '--out', quarter, '--gpu-memory-fraction', '0.25'])).code).toBe(0);
    expect(read(quarter).gpu).toContain('--per_process_gpu_memory_fraction=0.25');
    const whole = path.join(tempDir('cli-gpu'), 'serving');
    expect((await runCli(['serving-config', '--out', whole, '--gpu-memory-fraction', '1'])).code).toBe(0);
    expect(read(whole).gpu).toContain('--per_process_gpu_memory_fraction=1');
  }, 60_000);

  it.each(['0', '1.5', '-0.1', 'half', ''])(
    'refuses --gpu-memory-fraction %j: exit 2, one line, nothing written',
    async (value) => {
      const out = path.join(tempDir('cli-gpu-bad'), 'serving');
      const result = await runCli(['serving-config', '--out', out, '--gpu-memory-fraction', value]);
      expect(result.code).toBe(2);
      expect(userStderr(result.stderr)).toEqual([
        `mnist-serve: error: option '--gpu-memory-fraction <f>' argument '${value}' is invalid. ` +
          'expected a number greater than 0 and at most 1',
      ]);
      expect(fs.existsSync(out)).toBe(false);
    },
    60_000,
  );

  it.each([
    [
      'latest:2',
      'model_version_policy {\n      latest {\n        num_versions: 2\n      }\n    }',
      { kind: 'latest', numVersions: 2 },
    ],
    ['all', 'model_version_policy {\n      all {\n      }\n    }', { kind: 'all' }],
  ])(
    'writes --policy %s into every model of models.config',
    async (policy, text, parsed) => {
      const out = path.join(tempDir('cli-policy'), 'serving');
      const result = await runCli([
        'serving-config',
        '--out',
        out,
        '--policy',
        policy,
        '--model',
        'mnist=models/a',
        '--model',
        'fashion=models/b',
        '--label',
        'stable=1',
      ]);
      expect(result.code).toBe(0);
      const written = fs.readFileSync(path.join(out, 'models.config'), 'utf8');
      expect(written.split(text)).toHaveLength(3);
      const models = parseModelsConfig(written, 'models.config').models;
      expect(models.map((model) => [model.name, model.versionPolicy, model.versionLabels])).toEqual([
        ['mnist', parsed, { stable: 1 }],
        ['fashion', parsed, { stable: 1 }],
      ]);
    },
    60_000,
  );

  it('writes docker-run.sh and docker-run-gpu.sh that sh parses (sh -n)', async () => {
    const out = path.join(tempDir('cli-sh'), "serving dir's");
    const result = await runCli([
      'serving-config',
      '--out',
      out,
      '--model',
      `mnist=${path.join(out, '..', 'my models')}`,
    ]);
    expect(result.code).toBe(0);
    for (const script of ['docker-run.sh', 'docker-run-gpu.sh']) {
      expect(() => execFileSync('sh', ['-n', path.join(out, script)], { stdio: 'pipe' })).not.toThrow();
    }
  }, 60_000);

  it.each([
    [['--policy', 'latest:0'], "option '--policy <policy>' argument 'latest:0' is invalid. latest:N needs N ≥ 1"],
    [['--config-poll-seconds', '-1'], "option '--config-poll-seconds <n>' argument '-1' is invalid"],
    [
      ['--policy', 'newest'],
      "option '--policy <policy>' argument 'newest' is invalid. expected latest[:N], specific:V1,V2,… or all",
    ],
    [['--label', 'stable'], 'expected LABEL=VERSION'],
    [['--model', 'mnist'], 'expected NAME=BASE_PATH'],
    [
      ['--max-batch-size', '8', '--allowed-batch-sizes', '4,16'],
      'allowed_batch_sizes must increase and end with max_batch_size (8)',
    ],
  ])(
    'exits 2 for %j',
    async (args, message) => {
      const result = await runCli(['serving-config', '--out', tempDir('cli-serving-config-bad'), ...args]);
      expect(result.code).toBe(2);
      expect(userStderr(result.stderr).join('\n')).toContain(message);
    },
    60_000,
  );
});
