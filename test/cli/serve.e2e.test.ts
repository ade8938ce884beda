import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, userStderr } from '../helpers/cli.ts';
import { serveLogLines, startServe, waitFor, withBusyPort } from '../helpers/serve-process.ts';
import { exportVersion, sampleImage, tempDir } from '../serving/helpers/export-version.ts';

let base: string;

beforeAll(async () => {
  base = tempDir('cli-serve');
  await exportVersion(base, 1);
  await exportVersion(base, 2);
}, 120_000);

describe('mnist-serve serve', () => {
  it('exits 1 with one line naming --rest-api-port when the port is busy', async () => {
    await withBusyPort(async (port) => {
      const result = await runCli(
        ['serve', '--model-base-path', base, '--rest-api-port', String(port), '--file-system-poll-wait-seconds', '0'],
        { timeoutMs: 60_000 },
      );
      expect(result.code).toBe(1);
      const errors = userStderr(result.stderr).filter((line) => !line.startsWith('{'));
      expect(errors).toEqual([
        `mnist-serve: error: --rest-api-port ${port}: cannot listen on 127.0.0.1:${port} (EADDRINUSE)`,
      ]);
    });
  }, 90_000);

  it('exits 1 with one line naming --port when the gRPC port is busy', async () => {
    await withBusyPort(async (port) => {
      const result = await runCli(
        [
          'serve',
          '--model-base-path',
          base,
          '--rest-api-port',
          '0',
          '--port',
          String(port),
          '--file-system-poll-wait-seconds',
          '0',
        ],
        { timeoutMs: 60_000 },
      );
      expect(result.code).toBe(1);
      const errors = userStderr(result.stderr).filter((line) => !line.startsWith('{'));
      expect(errors).toEqual([
        `mnist-serve: error: --port ${port}: gRPC cannot listen on 127.0.0.1:${port} (EADDRINUSE)`,
      ]);
    });
  }, 90_000);

  it('drains an in-flight request on SIGTERM, refuses new connections, and exits 0', async () => {
    const batchingFile = path.join(tempDir('cli-batching'), 'batching_parameters.txt');
    // A long batch timeout keeps the request in flight while SIGTERM arrives.
    fs.writeFileSync(batchingFile, 'max_batch_size { value: 64 }\nbatch_timeout_micros { value: 1500000 }\n');
    const server = await startServe([
      '--model-base-path',
      base,
      '--enable-batching',
      '--batching-parameters-file',
      batchingFile,
      '--json',
    ]);
    const inFlight = fetch(`${server.url}/v1/models/mnist:predict`, {
      method: 'POST',
      body: JSON.stringify({ instances: [sampleImage(0)] }),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    server.child.kill('SIGTERM');
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { predictions: unknown[] }).predictions).toHaveLength(1);
    expect(await server.exit).toBe(0);
    await expect(fetch(`${server.url}/v1/models/mnist`)).rejects.toThrow();
    expect(JSON.parse(server.stdout())).toMatchObject({
      stopped: true,
      signal: 'SIGTERM',
      drained: true,
      models: ['mnist'],
    });
    const messages = serveLogLines(server.stderr()).map((line) => line.msg);
    expect(messages).toEqual(
      expect.arrayContaining([
        'version available',
        'REST API listening',
        'SIGTERM: draining in-flight requests',
        'server stopped',
      ]),
    );
    expect(
      serveLogLines(server.stderr()).every((line) => typeof line.time === 'string' && typeof line.level === 'string'),
    ).toBe(true);
    expect(serveLogLines(server.stderr())).toContainEqual(
      expect.objectContaining({ msg: 'TensorFlow threads', intra_op: '1', inter_op: 'calling thread' }),
    );
  }, 120_000);

  it('re-reads --model-config-file on SIGHUP: a label moves to another version', async () => {
    const dir = tempDir('cli-config');
    const configFile = path.join(dir, 'models.config');
    const config = (stable: number) =>
      `model_config_list { config { name: "digits" base_path: "${base}" model_platform: "tensorflow" ` +
      `model_version_policy { all {} } version_labels { key: "stable" value: ${stable} } } }\n`;
    fs.writeFileSync(configFile, config(1));
    const server = await startServe([
      '--model-config-file',
      configFile,
      '--tensorflow-intra-op-parallelism',
      '0',
      '--tensorflow-inter-op-parallelism',
      '0',
    ]);
    const stableVersion = async () =>
      (
        (await (await fetch(`${server.url}/v1/models/digits/labels/stable/metadata`)).json()) as {
          model_spec: { version: string };
        }
      ).model_spec.version;
    try {
      expect(await stableVersion()).toBe('1');
      fs.writeFileSync(configFile, config(2));
      server.child.kill('SIGHUP');
      await waitFor(async () => (await stableVersion()) === '2');
      expect(await stableVersion()).toBe('2');
      expect(serveLogLines(server.stderr()).map((line) => line.msg)).toContain('SIGHUP: reloading the config');
      expect(serveLogLines(server.stderr())).toContainEqual(
        expect.objectContaining({ msg: 'TensorFlow threads', intra_op: 'one per core', inter_op: 'default pool' }),
      );
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exit).toBe(0);
    }
  }, 120_000);

  it('survives a SIGHUP that arrives while it is still loading, and re-reads the config once up', async () => {
    const dir = tempDir('cli-config-early');
    const configFile = path.join(dir, 'models.config');
    fs.writeFileSync(
      configFile,
      `model_config_list { config { name: "digits" base_path: "${base}" model_platform: "tensorflow" } }\n`,
    );
    const server = await startServe(['--model-config-file', configFile], {
      signalOn: { log: /TensorFlow threads/, signal: 'SIGHUP' },
    });
    try {
      expect((await fetch(`${server.url}/v1/models/digits`)).status).toBe(200);
      const reloaded = () => serveLogLines(server.stderr()).some((line) => line.msg === 'SIGHUP: reloading the config');
      await waitFor(reloaded);
      expect(reloaded()).toBe(true);
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exit).toBe(0);
    }
  }, 120_000);

  it('keeps serving the current config when SIGHUP finds models.config broken, and logs why', async () => {
    const dir = tempDir('cli-config-broken');
    const configFile = path.join(dir, 'models.config');
    fs.writeFileSync(
      configFile,
      `model_config_list { config { name: "digits" base_path: "${base}" model_platform: "tensorflow" ` +
        'model_version_policy { all {} } version_labels { key: "stable" value: 1 } } }\n',
    );
    const server = await startServe(['--model-config-file', configFile]);
    const stable = () =>
      fetch(`${server.url}/v1/models/digits/labels/stable/metadata`).then(async (answer) => ({
        status: answer.status,
        version: ((await answer.json()) as { model_spec?: { version: string } }).model_spec?.version,
      }));
    const failures = () =>
      serveLogLines(server.stderr()).filter((line) => line.msg === 'config reload failed; keeping the current config');
    try {
      fs.writeFileSync(configFile, 'model_config_list { config { name: "digits" ');
      server.child.kill('SIGHUP');
      await waitFor(() => failures().length > 0);
      expect(failures()).toEqual([
        expect.objectContaining({ level: 'error', error: expect.stringContaining(configFile) }),
      ]);
      expect(await stable()).toEqual({ status: 200, version: '1' });
      const answer = await fetch(`${server.url}/v1/models/digits:predict`, {
        method: 'POST',
        body: JSON.stringify({ instances: [sampleImage(0)] }),
      });
      expect(answer.status).toBe(200);
      // A file that cannot be read is named by the flag that gave it, as at start-up.
      fs.rmSync(configFile);
      server.child.kill('SIGHUP');
      await waitFor(() => failures().length > 1);
      expect(failures()[1]).toEqual(
        expect.objectContaining({ error: `--model-config-file ${configFile}: cannot read it (ENOENT)` }),
      );
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exit).toBe(0);
    }
  }, 120_000);

  it.each([
    [['--batching-parameters-file', 'b.txt'], '--batching-parameters-file has no effect without --enable-batching'],
    [
      ['--model-config-file', '/nonexistent/models.config'],
      '--model-config-file /nonexistent/models.config: cannot read it (ENOENT)',
    ],
    [['--rest-api-port', '70000'], "option '--rest-api-port <port>' argument '70000' is invalid"],
    [['--enable-batching', '--max-request-rows', '2000'], '--max-request-rows 2000 is larger than max_batch_size 1024'],
    [
      ['--max-in-flight-rows', '100'],
      '--max-in-flight-rows 100 is smaller than the 1024 rows one request may carry (--max-request-rows)',
    ],
    [['--max-request-rows', '0'], "option '--max-request-rows <n>' argument '0' is invalid"],
  ])(
    'exits 2 with one line for %j',
    async (args, message) => {
      const result = await runCli(['serve', ...args]);
      expect(result.code).toBe(2);
      expect(userStderr(result.stderr).join('\n')).toContain(message);
    },
    60_000,
  );
});
