import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveCheckpoint } from '../../src/checkpoint/manager.ts';
import { projectRoot, runCli, userStderr } from '../helpers/cli.ts';
import { serveLogLines, startServe, waitFor } from '../helpers/serve-process.ts';
import { sampleMeta, sampleState } from '../checkpoint/fixtures.ts';
import { exportVersion, tempDir } from '../serving/helpers/export-version.ts';
import { BUCKET, startS3, useS3, type TestS3 } from './s3-server.ts';

const tracer = path.join(projectRoot, 'test', 'helpers', 'module-load-tracer.cjs');
let s3: TestS3;
let closedPort: number;

beforeAll(async () => {
  s3 = await startS3();
  useS3(s3);
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as net.AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
});

afterAll(async () => {
  await s3?.stop();
});

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { env: { ...s3.env, ...env } });

describe('mnist-serve sync', () => {
  it('--once copies the versions the policy wants, then adds a new one and removes the one it replaced', async () => {
    const base = `s3://${BUCKET}/sync`;
    for (const version of [1, 2]) await exportVersion(base, version);
    const target = path.join(tempDir('sync-target'), 'mnist');
    const first = await cli(['--json', 'sync', '--once', '--from', base, '--to', target, '--policy', 'latest:1'], {});
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ from: base, to: target, versions: [2], added: [2], removed: [] });
    expect(fs.readdirSync(path.join(target, '2')).sort()).toEqual(['assets.extra', 'saved_model.pb', 'variables']);
    await exportVersion(base, 3);
    const second = await cli(['--json', 'sync', '--once', '--from', base, '--to', target]);
    expect(JSON.parse(second.stdout)).toMatchObject({ versions: [3], added: [3], removed: [2] });
    expect(fs.readdirSync(target)).toEqual(['3']);
  });

  it('never shows a partial version in the target while an export is uploading', async () => {
    const base = `s3://${BUCKET}/sync-live`;
    const source = await exportVersion(tempDir('sync-live-source'), 1);
    const target = tempDir('sync-live-target');
    const sync = spawn(
      process.execPath,
      [
        path.join(projectRoot, 'bin', 'mnist-serve'),
        'sync',
        '--from',
        base,
        '--to',
        target,
        '--poll-wait-seconds',
        '1',
      ],
      { env: { ...process.env, ...s3.env }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let syncLog = '';
    sync.stderr.on('data', (chunk) => (syncLog += chunk));
    const syncExit = new Promise((resolve) => sync.on('exit', resolve));
    const exporter = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(projectRoot, 'test', 'storage', 'publish-until-killed.ts'), base, source],
      { env: { ...process.env, ...s3.env }, stdio: 'ignore' },
    );
    const exported = new Promise((resolve) => exporter.on('exit', resolve));
    const seen: string[] = [];
    try {
      let done = false;
      void exported.then(() => setTimeout(() => (done = true), 5_000));
      while (!done || !fs.existsSync(path.join(target, '1'))) {
        if (fs.existsSync(path.join(target, '1'))) {
          const files = fs.readdirSync(path.join(target, '1'), { recursive: true }).map(String).sort();
          const padding = fs.statSync(path.join(target, '1', 'assets.extra', 'padding'), {
            throwIfNoEntry: false,
          })?.size;
          seen.push(`${files.join(',')}:${padding}`);
        }
        if (seen.length > 0 && done) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      sync.kill('SIGTERM');
    }
    expect(await exported).toBe(0);
    // The sidecar ends its pass on SIGTERM and exits 0, as a Kubernetes pod's containers should.
    expect(await syncExit).toBe(0);
    expect(serveLogLines(syncLog).map((line) => line.msg)).toContain('sync stopped');
    expect(seen.length).toBeGreaterThan(0);
    const whole =
      'assets.extra,assets.extra/padding,assets.extra/tf_serving_warmup_requests,saved_model.pb,' +
      `variables,variables/variables.data-00000-of-00001,variables/variables.index:${96 << 20}`;
    expect(new Set(seen)).toEqual(new Set([whole]));
  }, 120_000);
});

describe('store errors', () => {
  const cases: [string, string, Record<string, string>, RegExp][] = [
    [
      'wrong credentials',
      `s3://${BUCKET}/x`,
      { AWS_ACCESS_KEY_ID: 'WRONG' },
      /^mnist-serve: error: s3:\/\/models\/x: cannot list versions \(InvalidAccessKeyId/,
    ],
    [
      'a missing bucket',
      's3://no-such-bucket/x',
      {},
      new RegExp(
        '^mnist-serve: error: s3://no-such-bucket/x: cannot list versions ' +
          '\\(NoSuchBucket: The specified bucket does not exist\\)$',
      ),
    ],
    [
      'an unreachable endpoint',
      `s3://${BUCKET}/x`,
      { AWS_ENDPOINT_URL_S3: '' },
      /^mnist-serve: error: s3:\/\/models\/x: cannot list versions \(.*ECONNREFUSED/,
    ],
  ];
  for (const [what, uri, env, message] of cases) {
    it(`sync --once and export report ${what} in one line and exit 1, writing nothing`, async () => {
      const environment = {
        ...env,
        ...(env.AWS_ENDPOINT_URL_S3 === '' && { AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${closedPort}` }),
      };
      const target = path.join(tempDir('sync-error'), 'mnist');
      const synced = await cli(['sync', '--once', '--from', uri, '--to', target], environment);
      expect(synced.code).toBe(1);
      expect(userStderr(synced.stderr)).toHaveLength(1);
      expect(userStderr(synced.stderr)[0]).toMatch(message);
      expect(fs.existsSync(target)).toBe(false);
      const checkpoint = saveCheckpoint(tempDir('ckpt'), sampleState(1), sampleMeta(1), 1).prefix;
      const exported = await cli(
        ['export', '--checkpoint', checkpoint, '--model-base-path', uri, '--no-verify', '--warmup-requests', '0'],
        environment,
      );
      expect(exported.code).toBe(1);
      expect(userStderr(exported.stderr).at(-1)).toMatch(message);
      expect(userStderr(exported.stderr).filter((line) => line.startsWith('mnist-serve:'))).toHaveLength(1);
    }, 60_000);
  }

  it('serve keeps running with wrong credentials, logging and counting each failing poll', async () => {
    const server = await startServe(
      [
        '--model-base-path',
        `s3://${BUCKET}/x`,
        '--file-system-poll-wait-seconds',
        '1',
        '--model-cache-dir',
        tempDir('serve-cache'),
      ],
      { env: { ...s3.env, AWS_ACCESS_KEY_ID: 'WRONG' } },
    );
    try {
      const failures = () => serveLogLines(server.stderr()).filter((line) => line.msg === 'cannot poll the base path');
      await waitFor(() => failures().length >= 2, 30_000);
      expect(failures()[0]).toMatchObject({ level: 'error', model: 'mnist', base_path: `s3://${BUCKET}/x` });
      expect(String(failures()[0]!.error)).toContain('InvalidAccessKeyId');
      const metrics = await (await fetch(`${server.url}/monitoring/prometheus/metrics`)).text();
      expect(
        Number(/mnist_serve_storage_errors_total\{model="mnist"\} (\d+)/.exec(metrics)?.[1]),
      ).toBeGreaterThanOrEqual(2);
    } finally {
      server.child.kill('SIGTERM');
      await server.exit;
    }
  }, 60_000);
});

describe('inspect-graph --saved-model s3://', () => {
  it('reads a version on the store without loading TensorFlow', async () => {
    const base = `s3://${BUCKET}/inspect`;
    await exportVersion(base, 1);
    const result = await runCli(['inspect-graph', '--saved-model', `${base}/1`], {
      nodeArgs: ['--require', tracer],
      env: s3.env,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(`source: SavedModel ${base}/1 (tag serve)`);
    expect(result.stderr).toContain('[tracer] engine-loaded=false');
  });
});
