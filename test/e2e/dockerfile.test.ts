/**
 * Docker is not available here, so this replays the Dockerfile step by step in a clean copy of
 * the repository (the files git tracks or would track, less .dockerignore): each stage gets its
 * own root directory standing for `/`, COPY copies, RUN runs, and the image's ENTRYPOINT then
 * runs `sync` against a real S3 server. What only Docker can do is skipped and named: FROM
 * (the base image), RUN steps that need root (apt-get, chown) and USER. The engine's cache path
 * (the build stage's XDG_CACHE_HOME) maps to this machine's cache, so the TensorFlow wheel is
 * not extracted again. The two RUN steps (npm ci, building the binding) take 1–5 minutes,
 * depending on the machine's load.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/cli.ts';
import { exportVersion, tempDir } from '../serving/helpers/export-version.ts';
import { BUCKET, startS3, useS3, type TestS3 } from '../storage/s3-server.ts';
import { parseCopy, parseDockerfile, parseEnv, parseExecForm, type Stage } from './dockerfile-steps.ts';

const NEEDS_ROOT = /\b(apt-get|chown)\b/;
const tracer = path.join(projectRoot, 'test', 'helpers', 'module-load-tracer.cjs');
const realCache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');

let s3: TestS3;
let scratch: string | undefined;
beforeAll(async () => {
  s3 = await startS3();
  useS3(s3);
});
afterAll(async () => {
  await s3?.stop();
  // The replayed stages hold a whole node_modules.
  if (scratch) await fs.promises.rm(scratch, { recursive: true, force: true });
});

/** The build context: tracked and untracked-but-not-ignored files, less what .dockerignore names. */
function buildContext(into: string): void {
  const ignored = fs
    .readFileSync(path.join(projectRoot, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const isIgnored = (file: string) =>
    ignored.some((pattern) =>
      pattern.startsWith('*') ? file.endsWith(pattern.slice(1)) : file === pattern || file.startsWith(`${pattern}/`),
    );
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: projectRoot,
    encoding: 'utf8',
  })
    .split('\0')
    .filter(Boolean);
  for (const file of files.filter((name) => !isIgnored(name) && fs.existsSync(path.join(projectRoot, name)))) {
    fs.mkdirSync(path.dirname(path.join(into, file)), { recursive: true });
    fs.copyFileSync(path.join(projectRoot, file), path.join(into, file));
    fs.chmodSync(path.join(into, file), fs.statSync(path.join(projectRoot, file)).mode);
  }
}

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs without blocking this process, which hosts the S3 server the commands talk to. */
function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

interface Replayed {
  /** Where `/` of each stage lives. */
  roots: Map<string, string>;
  final: { env: Record<string, string>; workdir: string; entrypoint: string[]; root: string };
  skipped: string[];
}

async function replay(stages: Stage[], context: string, scratch: string, engineCachePath: string): Promise<Replayed> {
  const roots = new Map<string, string>();
  const skipped: string[] = [];
  const mapPath = (root: string, containerPath: string) =>
    containerPath === engineCachePath || containerPath.startsWith(`${engineCachePath}/`)
      ? path.join(realCache, containerPath.slice(engineCachePath.length))
      : path.join(root, containerPath);
  let final: Replayed['final'] | undefined;
  for (const [index, stage] of stages.entries()) {
    const root = path.join(scratch, `stage-${index}`);
    fs.mkdirSync(root, { recursive: true });
    roots.set(stage.name, root);
    let workdir = '/';
    const env: Record<string, string> = {};
    let entrypoint: string[] = [];
    for (const { keyword, text, line } of stage.instructions) {
      const where = `Dockerfile:${line} ${keyword} ${text}`;
      if (keyword === 'FROM' || keyword === 'CMD') continue;
      if (keyword === 'ENV')
        for (const [key, value] of Object.entries(parseEnv(text)))
          env[key] = value.startsWith('/') ? mapPath(root, value) : value;
      else if (keyword === 'WORKDIR') {
        workdir = path.posix.resolve(workdir, text);
        fs.mkdirSync(mapPath(root, workdir), { recursive: true });
      } else if (keyword === 'USER') skipped.push(`${where} (a user switch only Docker makes)`);
      else if (keyword === 'ENTRYPOINT') entrypoint = parseExecForm(text);
      else if (keyword === 'COPY') {
        const copy = parseCopy(text);
        const sourceRoot = copy.from === undefined ? undefined : roots.get(copy.from);
        if (copy.from !== undefined && !sourceRoot) throw new Error(`${where}: no earlier stage named ${copy.from}`);
        const destination = mapPath(root, path.posix.resolve(workdir, copy.destination));
        for (const source of copy.sources) {
          const from = sourceRoot ? mapPath(sourceRoot, source) : path.join(context, source);
          if (!fs.existsSync(from)) throw new Error(`${where}: ${source} does not exist`);
          const isDirectory = fs.statSync(from).isDirectory();
          // Docker copies a directory's contents into DEST, and a file into DEST/ when DEST is a directory.
          const intoDirectory = copy.sources.length > 1 || copy.destination.endsWith('/');
          const target = !isDirectory && intoDirectory ? path.join(destination, path.basename(from)) : destination;
          if (path.resolve(from) === path.resolve(target)) continue;
          fs.mkdirSync(path.dirname(target), { recursive: true });
          // Hard links: a stage's node_modules is hundreds of megabytes, and nothing writes to it later.
          const copied = await run('cp', ['-al', isDirectory ? `${from}/.` : from, target], {
            cwd: scratch,
            env: process.env,
            timeoutMs: 120_000,
          });
          if (copied.status !== 0) throw new Error(`${where}: ${copied.stderr.trim()}`);
        }
      } else if (keyword === 'RUN') {
        if (NEEDS_ROOT.test(text)) {
          skipped.push(`${where} (needs root; only the image build runs it)`);
          continue;
        }
        const result = await run('sh', ['-c', text], {
          cwd: mapPath(root, workdir),
          env: { ...process.env, ...env, npm_config_prefer_offline: 'true' },
          timeoutMs: 240_000,
        });
        if (result.status !== 0) {
          const lastLines = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-15).join('\n');
          throw new Error(`${where} failed (exit ${result.status ?? 'killed: timeout'}):\n${lastLines}`);
        }
      } else
        throw new Error(`${where}: the test does not replay ${keyword}; teach it or keep the Dockerfile conventional`);
    }
    final = { env, workdir: mapPath(root, workdir), entrypoint, root };
  }
  return { roots, final: final!, skipped };
}

describe('Dockerfile', () => {
  it('every step runs in a clean copy of the repository; ' +
    'in the result the engine loads and sync runs without TensorFlow', async () => {
    const stages = parseDockerfile(fs.readFileSync(path.join(projectRoot, 'Dockerfile'), 'utf8'));
    expect(stages.map((stage) => stage.instructions[0]!.text)).toEqual(['node:20-slim AS build', 'node:20-slim']);
    const build = stages[0]!;
    const engineCache = parseEnv(
      build.instructions.find((step) => step.keyword === 'ENV' && step.text.startsWith('XDG_CACHE_HOME='))!.text,
    ).XDG_CACHE_HOME!;
    const runtime = stages[1]!.instructions;
    expect(runtime.find((step) => step.keyword === 'USER')?.text).toBe('1000:1000');
    expect(runtime.some((step) => step.keyword === 'RUN' && /apt-get|pip|g\+\+/.test(step.text))).toBe(false);

    scratch = tempDir('dockerfile');
    const context = path.join(scratch, 'context');
    buildContext(context);
    expect(fs.existsSync(path.join(context, 'node_modules'))).toBe(false);
    const replayed = await replay(stages, context, scratch, engineCache);
    // Named, so a new root-only step cannot hide here unnoticed.
    expect(replayed.skipped.map((line) => line.replace(/^Dockerfile:\d+ /, ''))).toEqual([
      'RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-pip make g++ ' +
        '&& rm -rf /var/lib/apt/lists/* (needs root; only the image build runs it)',
      'RUN mkdir -p /models /cache && chown 1000:1000 /models /cache (needs root; only the image build runs it)',
      'USER 1000:1000 (a user switch only Docker makes)',
    ]);

    const { final } = replayed;
    expect(final.entrypoint).toEqual(['/app/bin/mnist-serve']);
    const entrypoint = path.join(final.root, final.entrypoint[0]!);
    const image = (args: string[]) =>
      run(entrypoint, args, {
        cwd: final.workdir,
        // The image's environment: nothing from this checkout's node_modules or the test runner.
        env: {
          PATH: process.env.PATH!,
          HOME: os.homedir(),
          ...final.env,
          ...s3.env,
          NODE_OPTIONS: `--require ${tracer}`,
        },
        timeoutMs: 60_000,
      });
    // The image runs the compiled JavaScript: no sources, no TypeScript tooling.
    const app = path.join(final.root, 'app');
    expect(fs.existsSync(path.join(app, 'dist', 'cli', 'main.js'))).toBe(true);
    expect(fs.existsSync(path.join(app, 'src'))).toBe(false);
    expect(fs.existsSync(path.join(app, 'node_modules', 'tsx'))).toBe(false);
    const help = await image(['sync', '--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('--from <uri>');

    // The engine prepared at build time loads in the runtime stage, which cannot prepare it
    // (MNIST_SERVE_NO_AUTO_SETUP).
    expect(final.env.MNIST_SERVE_NO_AUTO_SETUP).toBe('1');
    const doctor = await image(['--json', 'doctor']);
    expect(doctor.status, doctor.stderr).toBe(0);
    expect(JSON.parse(doctor.stdout)).toMatchObject({
      backend: 'tensorflow',
      tensorflowVersion: '2.21.0',
      libtensorflowPath: expect.stringMatching(/libtensorflow-2\.21\.0\/lib\/libtensorflow_cc\.so\.2$/),
    });

    const base = `s3://${BUCKET}/dockerfile`;
    await exportVersion(base, 4);
    const target = path.join(scratch, 'models', 'mnist');
    const once = await image(['--json', 'sync', '--once', '--from', base, '--to', target]);
    expect(once.status, once.stderr).toBe(0);
    expect(JSON.parse(once.stdout)).toMatchObject({ versions: [4], added: [4] });
    expect(fs.readdirSync(path.join(target, '4')).sort()).toEqual(['assets.extra', 'saved_model.pb', 'variables']);
    expect(once.stderr).toContain('[tracer] engine-loaded=false');
  }, 480_000);
});
