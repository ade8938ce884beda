/**
 * The package as a user gets it: `npm pack` (prepack builds dist/), the tarball installed into an
 * empty directory, and the installed `mnist-serve` run from there — compiled JavaScript, no tsx,
 * the .proto files found beside the compiled loader, the engine set up from ~/.cache/mnist-serve.
 * Minutes on a cold machine (npm install, and node-gyp building the binding for the fresh tfjs-node).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const MINUTE = 60_000;
const work = tempDir('tarball');
const app = path.join(work, 'app');
const installedBin = path.join(app, 'node_modules', '.bin', 'mnist-serve');
let packedFiles: string[];

interface Finished {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end without blocking the test worker (vitest's RPC times out on a blocked loop). */
function run(command: string, args: string[], cwd: string): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10 * MINUTE);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

async function npm(args: string[], cwd: string): Promise<Finished> {
  const result = await run('npm', args, cwd);
  if (result.status !== 0)
    throw new Error(`npm ${args.join(' ')} exited ${result.status}:\n${result.stderr.slice(-4000)}`);
  return result;
}

const installed = (args: string[]): Promise<Finished> => run(process.execPath, [installedBin, ...args], app);

beforeAll(async () => {
  // The project's .npmrc turns lifecycle scripts off; packing must run prepack (the build).
  const packed = await npm(['pack', '--ignore-scripts=false', '--pack-destination', work, '--json'], projectRoot);
  const [{ filename, files }] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
  packedFiles = files.map((file) => file.path);
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), `${JSON.stringify({ name: 'app', private: true })}\n`);
  // tfjs-node's own install script downloads libtensorflow from a host many networks block, so
  // scripts stay off as in a clone; the first command that needs TensorFlow sets the engine up.
  await npm(
    ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', path.join(work, filename)],
    app,
  );
}, 20 * MINUTE);

// Asynchronous: removing a whole node_modules can outlast vitest's 60 s RPC timeout on a busy machine.
describe('the npm package', () => {
  it('holds the compiled program, the .proto files and the engine installer, and no sources, tests or tools', () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        'bin/mnist-serve',
        'dist/cli/main.js',
        'dist/formats/proto/tensorflow_serving/apis/predict.proto',
        'scripts/install-engine.mjs',
        'package.json',
        'README.md',
      ]),
    );
    const unexpected = packedFiles.filter(
      (file) =>
        !/^(bin|dist)\//.test(file) && !['scripts/install-engine.mjs', 'package.json', 'README.md'].includes(file),
    );
    expect(unexpected).toEqual([]);
    expect(packedFiles.filter((file) => file.endsWith('.ts'))).toEqual([]);
  });

  it('runs --help from compiled JavaScript, without tsx installed', async () => {
    expect(fs.existsSync(path.join(app, 'node_modules', 'tsx'))).toBe(false);
    const help = await installed(['--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: mnist-serve /);
    expect(help.stdout).toContain('doctor');
  });

  it(
    'runs doctor: the engine set up from the cached TensorFlow C library and loaded',
    async () => {
      const doctor = await installed(['doctor', '--no-python', '--json']);
      expect(doctor.status, doctor.stderr).toBe(0);
      const report = JSON.parse(doctor.stdout) as { enginePackage: string; tensorflowVersion: string };
      expect(report.enginePackage).toBe('@tensorflow/tfjs-node');
      expect(report.tensorflowVersion).toBe('2.21.0');
    },
    15 * MINUTE,
  );

  it(
    'trains, exports and inspects a SavedModel with default flags (the .proto files resolve at run time)',
    async () => {
      const train = await installed(['train', '--epochs', '1', '--quiet']);
      expect(train.status, train.stderr).toBe(0);
      const exported = await installed(['export', '--quiet']);
      expect(exported.status, exported.stderr).toBe(0);
      const inspected = await installed([
        'inspect-graph',
        '--saved-model',
        path.join('models', 'serving', 'versions', '1'),
        '--signatures',
        '--json',
      ]);
      expect(inspected.status, inspected.stderr).toBe(0);
      expect(inspected.stdout).toContain('serving_default');
    },
    10 * MINUTE,
  );
});
