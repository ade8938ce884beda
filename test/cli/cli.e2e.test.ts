import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot, runCli, runOnTerminal, userStderr } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const tracer = path.join(projectRoot, 'test', 'helpers', 'module-load-tracer.cjs');

describe('mnist-serve CLI skeleton', () => {
  it('answers --help without loading TensorFlow', async () => {
    const result = await runCli(['--help'], { nodeArgs: ['--require', tracer] });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: mnist-serve');
    for (const command of [
      'train',
      'checkpoint',
      'inspect-graph',
      'export',
      'serve',
      'serving-config',
      'predict',
      'data',
      'doctor',
    ]) {
      expect(result.stdout).toContain(command);
    }
    expect(result.stderr).toContain('[tracer] engine-loaded=false');
    // No command's module is loaded for the overview: only the CLI's own packages.
    const packages = /\[tracer\] packages=(.*)/.exec(result.stderr)![1]!.split(',');
    expect(
      packages.filter((name) => ['protobufjs', 'prom-client', '@grpc/grpc-js', 'pngjs', 'cli-progress'].includes(name)),
    ).toEqual([]);
  });

  it('shows the usage and exits 2 when no command, or no subcommand, is given', async () => {
    for (const args of [[], ['checkpoint'], ['data']]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^Usage: mnist-serve/m);
    }
    const asked = await runCli(['help', 'checkpoint']);
    expect(asked.code).toBe(0);
    expect(asked.stdout).toMatch(/^Usage: mnist-serve checkpoint/m);
  });

  it('exits 2 with one line for an unknown subcommand', async () => {
    const result = await runCli(['trian']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/unknown command 'trian'/);
  });

  it('exits 2 with one line for an unknown flag', async () => {
    const result = await runCli(['doctor', '--frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual(["mnist-serve: error: unknown option '--frobnicate'"]);
  });

  it('--device gpu without @tensorflow/tfjs-node-gpu installed says how to install it, exit 2', async () => {
    const result = await runCli(['--device', 'gpu', 'doctor', '--no-python']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/tfjs-node-gpu/);
  });

  it('-q prints only the result: no progress or log lines on stderr', async () => {
    const dir = tempDir('cli-quiet');
    const args = ['train', '--train-samples', '64', '--test-samples', '32', '--epochs', '1', '--checkpoint-dir', dir];
    const quiet = await runCli(['-q', ...args]);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toMatch(/^Eval accuracy percentage: \d+\.\d\d$/m);
    expect(userStderr(quiet.stderr)).toEqual([]);
    const chatty = await runCli(args);
    expect(userStderr(chatty.stderr).some((line) => line.startsWith('Epoch 1/1'))).toBe(true);
  });

  it('--json reports a usage error as one error object on stdout', async () => {
    const result = await runCli(['--json', 'train', '--epochs', 'zero']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      error: { kind: 'usage', message: expect.stringMatching(/--epochs <n>.*expected a positive integer/) },
    });
  });

  it('rejects a --device outside cpu|gpu|auto with exit 2', async () => {
    const result = await runCli(['--device', 'tpu', 'doctor']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--device.*tpu.*invalid|Allowed choices/i);
  });

  it('doctor --json reports TensorFlow 2.21 loaded through tfjs-node', async () => {
    const result = await runCli(['--json', 'doctor', '--no-python']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.tensorflowVersion).toMatch(/^2\.21\./);
    expect(report.enginePackage).toBe('@tensorflow/tfjs-node');
    expect(report.backend).toBe('tensorflow');
    expect(report.devices).toContain('CPU:0');
    expect(report.libtensorflowPath).toMatch(/libtensorflow(_cc)?\.so/);
  });

  it('shows a spinner while it waits on a terminal, and none with --no-color', async () => {
    const spinning = await runOnTerminal(['doctor', '--no-python']);
    expect(spinning.code).toBe(0);
    expect(spinning.stdout).toContain('Loading TensorFlow…');
    expect(spinning.stdout).toMatch(/^tensorflow +2\.21\./m);
    const plain = await runOnTerminal(['--no-color', 'doctor', '--no-python']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toContain('Loading TensorFlow');
    expect(plain.stdout).not.toContain('\x1b[?25l');
  });

  it('doctor finds Python TensorFlow for interop checks when it is installed', async () => {
    const result = await runCli(['--json', 'doctor']);
    const report = JSON.parse(result.stdout);
    if (process.env.MNIST_SERVE_REQUIRE_PYTHON_TF === '1') expect(report.pythonTensorFlow?.version).toMatch(/^2\.21\./);
    expect(report).toHaveProperty('pythonTensorFlow');
  });
});
