/** `serve --workers N`: worker processes behind shared ports, run as users run them. */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { status, type ServiceError } from '@grpc/grpc-js';
import { loadTf } from '../../src/runtime/tf.ts';
import { ServingClient } from '../../src/serving/client/grpc-client.ts';
import { runCli, userStderr } from '../helpers/cli.ts';
import {
  serveLogLines,
  signalGroup,
  startServe,
  waitFor,
  withBusyPort,
  type RunningServe,
} from '../helpers/serve-process.ts';
import { exportVersion, sampleImage, tempDir } from '../serving/helpers/export-version.ts';

let base: string;

beforeAll(async () => {
  base = tempDir('cli-serve-workers');
  await exportVersion(base, 1);
  await exportVersion(base, 2);
}, 120_000);

/** One request on a connection of its own, so the primary hands each to the next worker. */
function request(
  url: string,
  method = 'GET',
  body?: string,
  timeoutMs = 60_000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const call = http.request(url, { method, agent: false, timeout: timeoutMs }, (answer) => {
      let text = '';
      answer.on('data', (chunk) => (text += chunk));
      answer.on('end', () => resolve({ status: answer.statusCode!, body: text }));
    });
    call.on('error', reject);
    call.on('timeout', () => call.destroy(new Error(`no answer from ${url} in ${timeoutMs} ms`)));
    call.end(body);
  });
}

function workerPids(server: RunningServe): number[] {
  return serveLogLines(server.stderr())
    .filter((line) => line.msg === 'worker ready')
    .map((line) => line.pid as number);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('mnist-serve serve --workers', () => {
  it('answers from every worker on one port, counts every request in one metrics page, ' +
    'and drains them all on SIGTERM', async () => {
    const server = await startServe(['--model-base-path', base, '--enable-batching', '--json'], {
      workers: 2,
      grpc: true,
    });
    let answered = 0;
    try {
      expect(workerPids(server)).toHaveLength(2);
      const body = JSON.stringify({ instances: [sampleImage(3)] });
      const answers = await Promise.all(
        Array.from({ length: 12 }, () => request(`${server.url}/v1/models/mnist:predict`, 'POST', body)),
      );
      expect(answers.map((answer) => answer.status)).toEqual(Array(12).fill(200));
      // Batches of different sizes may round the last digits differently (oneDNN picks kernels by batch size).
      const predictions = answers.map(
        (answer) =>
          (JSON.parse(answer.body) as { predictions: { classes: number; scores: number[] }[] }).predictions[0]!,
      );
      for (const prediction of predictions) {
        expect(prediction.classes).toBe(predictions[0]!.classes);
        prediction.scores.forEach((score, i) => expect(score).toBeCloseTo(predictions[0]!.scores[i]!, 5));
      }
      // Each scrape reaches one worker; the page sums both (a worker's own counter holds about half).
      for (let scrape = 0; scrape < 2; scrape++) {
        const metrics = (await request(`${server.url}/monitoring/prometheus/metrics`)).body;
        expect(metrics).toContain(
          'mnist_serve_requests_total{transport="rest",model="mnist",api="predict",code="OK"} 12\n',
        );
        expect(metrics).toContain('mnist_serve_loaded_versions{model="mnist"} 1');
      }
      const grpc = await runCli(['predict', '--grpc', server.grpcAddress!, '--sample', '0', '--json']);
      expect(grpc.code).toBe(0);
      // A 30-byte broadcast to 400,000 images is refused by the worker before it allocates (issue 19).
      const client = new ServingClient(server.grpcAddress!);
      const refused = await client
        .predict({
          model_spec: { name: 'mnist' },
          inputs: {
            image: {
              dtype: 'DT_FLOAT',
              tensor_shape: { dim: [{ size: 400_000 }, { size: 28 }, { size: 28 }, { size: 1 }] },
              float_val: [0.5],
            },
          },
        })
        .catch((error: ServiceError) => error);
      client.close();
      expect(refused).toMatchObject({
        code: status.INVALID_ARGUMENT,
        details: 'input image: 400000 rows exceed the limit of 1024 rows per request',
      });
      const samples = (await request(`${server.url}/monitoring/prometheus/metrics`)).body.match(
        /^mnist_serve_requests_total\{.*\} \d+$/gm,
      )!;
      answered = samples.reduce((sum, sample) => sum + Number(sample.split(' ').pop()), 0);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exit).toBe(0);
    expect(JSON.parse(server.stdout())).toMatchObject({
      stopped: true,
      signal: 'SIGTERM',
      drained: true,
      workers: 2,
      models: ['mnist'],
    });
    // Both workers answered: their own counts add up to the aggregated total, and neither is 0.
    const stopped = serveLogLines(server.stderr()).filter((line) => line.msg === 'server stopped');
    expect(stopped.map((line) => line.worker).sort()).toEqual([1, 2]);
    expect(stopped.every((line) => (line.requests as number) > 0)).toBe(true);
    expect(stopped.reduce((sum, line) => sum + (line.requests as number), 0)).toBe(answered);
    expect(workerPids(server).some(alive)).toBe(false);
  }, 120_000);

  it('passes SIGHUP to every worker: a moved label is seen on every connection', async () => {
    const configFile = path.join(tempDir('cli-workers-config'), 'models.config');
    const config = (stable: number) =>
      `model_config_list { config { name: "digits" base_path: "${base}" model_platform: "tensorflow" ` +
      `model_version_policy { all {} } version_labels { key: "stable" value: ${stable} } } }\n`;
    fs.writeFileSync(configFile, config(1));
    const server = await startServe(['--model-config-file', configFile], { workers: 2 });
    const stableVersions = async () => {
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => request(`${server.url}/v1/models/digits/labels/stable/metadata`)),
      );
      return new Set(
        answers.map((answer) => (JSON.parse(answer.body) as { model_spec: { version: string } }).model_spec.version),
      );
    };
    try {
      expect(await stableVersions()).toEqual(new Set(['1']));
      fs.writeFileSync(configFile, config(2));
      const reloads = () => serveLogLines(server.stderr()).filter((line) => line.msg === 'config applied').length;
      const before = reloads();
      server.child.kill('SIGHUP');
      await waitFor(() => reloads() >= before + 2);
      expect(await stableVersions()).toEqual(new Set(['2']));
      const reloaded = serveLogLines(server.stderr())
        .filter((line) => line.msg === 'SIGHUP: reloading the config')
        .map((line) => line.worker);
      expect(reloaded.sort()).toEqual([1, 2]);
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exit).toBe(0);
    }
  }, 120_000);

  it('stops with exit 1 and one line naming the worker when a worker dies', async () => {
    const server = await startServe(['--model-base-path', base], { workers: 2 });
    const [victim, survivor] = workerPids(server) as [number, number];
    process.kill(victim, 'SIGKILL');
    expect(await server.exit).toBe(1);
    const errors = userStderr(server.stderr()).filter((line) => line.startsWith('mnist-serve:'));
    expect(errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `^mnist-serve: error: worker process \\d+ \\(pid ${victim}\\) ` +
            'exited unexpectedly \\(signal SIGKILL\\); the server stopped$',
        ),
      ),
    ]);
    expect(alive(survivor)).toBe(false);
  }, 120_000);

  it('leaves no worker behind when the primary is killed (node:cluster ends them; serve relies on it)', async () => {
    const server = await startServe(['--model-base-path', base], { workers: 2 });
    const pids = workerPids(server);
    server.child.kill('SIGKILL');
    await server.exit;
    await waitFor(() => !pids.some(alive));
    expect(pids.some(alive)).toBe(false);
  }, 120_000);

  it('reports a busy port once (not once per worker), as one JSON error with --json, and exits 1', async () => {
    await withBusyPort(async (port) => {
      const result = await runCli(
        [
          'serve',
          '--workers',
          '2',
          '--model-base-path',
          base,
          '--rest-api-port',
          String(port),
          '--file-system-poll-wait-seconds',
          '0',
          '--json',
        ],
        { timeoutMs: 60_000 },
      );
      expect(result.code).toBe(1);
      const message = `--rest-api-port ${port}: cannot listen on 127.0.0.1:${port} (EADDRINUSE)`;
      const errors = userStderr(result.stderr).filter((line) => !line.startsWith('{'));
      expect(errors).toEqual([`mnist-serve: error: ${message}`]);
      expect(JSON.parse(result.stdout)).toEqual({ error: { kind: 'failure', message } });
    });
  }, 90_000);

  it('checks its flags and files in the primary: a bad --model-config-file is one line, exit 2', async () => {
    const result = await runCli([
      'serve',
      '--workers',
      '2',
      '--model-config-file',
      path.join(tempDir('cli-workers-missing'), 'models.config'),
    ]);
    expect(result.code).toBe(2);
    expect(userStderr(result.stderr).filter((line) => !line.startsWith('{'))).toEqual([
      expect.stringMatching(/^mnist-serve: error: --model-config-file .*models\.config: cannot read it \(ENOENT\)$/),
    ]);
  }, 60_000);

  it('stops cleanly when the whole process group gets SIGINT while workers still load ' +
    "(a terminal's Ctrl-C)", async () => {
    const server = await startServe(['--model-base-path', base, '--json'], {
      workers: 2,
      processGroup: true,
      signalOn: { log: /"msg":"TensorFlow threads".*"worker"/, signal: 'SIGINT' },
    });
    expect(await server.exit).toBe(0);
    expect(JSON.parse(server.stdout())).toMatchObject({ stopped: true, signal: 'SIGINT', drained: true, workers: 2 });
    expect(userStderr(server.stderr()).filter((line) => line.startsWith('mnist-serve:'))).toEqual([]);
  }, 120_000);

  it("drains an in-flight request when the whole process group gets SIGTERM (systemd's stop)", async () => {
    const batchingFile = path.join(tempDir('cli-workers-batching'), 'batching_parameters.txt');
    // A long batch timeout keeps the request in flight while SIGTERM arrives, directly and through the primary.
    fs.writeFileSync(batchingFile, 'max_batch_size { value: 64 }\nbatch_timeout_micros { value: 1500000 }\n');
    const server = await startServe(
      ['--model-base-path', base, '--enable-batching', '--batching-parameters-file', batchingFile, '--json'],
      { workers: 2, processGroup: true },
    );
    const inFlight = request(
      `${server.url}/v1/models/mnist:predict`,
      'POST',
      JSON.stringify({ instances: [sampleImage(0)] }),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    signalGroup(server.child, 'SIGTERM');
    expect((await inFlight).status).toBe(200);
    expect(await server.exit).toBe(0);
    expect(JSON.parse(server.stdout())).toMatchObject({ stopped: true, signal: 'SIGTERM', drained: true, workers: 2 });
  }, 120_000);

  it('answers a metrics scrape 503 when a worker cannot report, and still stops cleanly', async () => {
    const server = await startServe(['--model-base-path', base, '--json'], { workers: 2 });
    const [stuck] = workerPids(server) as [number];
    process.kill(stuck, 'SIGSTOP');
    try {
      // Two scrapes on fresh connections: one reaches the stuck worker (and times out here), the other the live one.
      const scrape = () =>
        request(`${server.url}/monitoring/prometheus/metrics`, 'GET', undefined, 12_000).catch(() => undefined);
      const answers = (await Promise.all([scrape(), scrape()])).filter((answer) => answer !== undefined);
      expect(answers).toEqual([
        { status: 503, body: expect.stringMatching(/^\{"error":"metrics unavailable: .+"\}$/) },
      ]);
    } finally {
      process.kill(stuck, 'SIGCONT');
    }
    server.child.kill('SIGTERM');
    expect(await server.exit).toBe(0);
    expect(JSON.parse(server.stdout())).toMatchObject({ stopped: true, workers: 2 });
  }, 120_000);

  it('moves 32 connections over two workers to a newly exported version with no failed request', async () => {
    const swapBase = tempDir('cli-workers-swap');
    await exportVersion(swapBase, 1);
    // Scores TensorFlow computes for sampleImage(0), per version (the exporter seeds weights by version).
    const tf = await loadTf();
    const expected = new Map<number, number[]>();
    for (const version of [1, 2]) {
      const model = await tf.node.loadSavedModel(
        await exportVersion(tempDir('cli-workers-swap-reference'), version),
        ['serve'],
        'serving_default',
      );
      const out = model.predict({ image: tf.tensor([sampleImage(0)]) }) as Record<string, { dataSync(): Float32Array }>;
      expected.set(version, Array.from(out.scores!.dataSync()));
      model.dispose();
    }
    const versionOf = (scores: number[]) =>
      [...expected].find(([, wanted]) => wanted.every((value, i) => Math.abs(value - scores[i]!) < 1e-4))?.[0];
    const server = await startServe(
      ['--model-base-path', swapBase, '--enable-batching', '--file-system-poll-wait-seconds', '1'],
      { workers: 2 },
    );
    const answers: { status: number; version: number | undefined }[] = [];
    let exported: Promise<string> | undefined;
    // At least 2,000 requests, and on until the last 200 all came from version 2 (bounded at 20,000).
    const settled = () => answers.length >= 2000 && answers.slice(-200).every((answer) => answer.version === 2);
    const client = async () => {
      while (!settled() && answers.length < 20_000) {
        const response = await fetch(`${server.url}/v1/models/mnist:predict`, {
          method: 'POST',
          body: JSON.stringify({ instances: [sampleImage(0)] }),
        });
        const json = (await response.json()) as { predictions?: { scores: number[] }[] };
        answers.push({
          status: response.status,
          version: json.predictions ? versionOf(json.predictions[0]!.scores) : undefined,
        });
        if (answers.length === 300) exported = exportVersion(swapBase, 2);
      }
    };
    try {
      await Promise.all(Array.from({ length: 32 }, client));
      await exported;
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exit).toBe(0);
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    expect(answers.filter((answer) => answer.version === undefined)).toEqual([]);
    expect(answers.some((answer) => answer.version === 1)).toBe(true);
    expect(settled()).toBe(true);
    const swaps = serveLogLines(server.stderr())
      .filter((line) => line.msg === 'version available' && line.version === 2)
      .map((line) => line.worker);
    expect(swaps.sort()).toEqual([1, 2]);
  }, 180_000);
});
