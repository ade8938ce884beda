/**
 * WorkerPool and the worker side of its protocol, with real worker processes (pool-worker.ts)
 * that run no server: start-up, failures, reload, stop, crashes, group signals and metrics
 * aggregation, in seconds and without TensorFlow. `serve --workers` end to end is in
 * test/cli/serve-workers.e2e.test.ts.
 */
import cluster from 'node:cluster';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { OperationalError, UserInputError } from '../../../../src/errors.ts';
import { jsonLogger } from '../../../../src/serving/monitoring/logger.ts';
import { isWorkerMessage } from '../../../../src/serving/servers/workers/messages.ts';
import { WorkerPool } from '../../../../src/serving/servers/workers/worker-pool.ts';
import { tempDir } from '../../../helpers/temp-dir.ts';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pool-worker.ts');
const dir = tempDir('worker-pool');
const journal = path.join(dir, 'journal');
const pools: WorkerPool[] = [];

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.stop()));
  fs.rmSync(journal, { force: true });
});

async function startPool(count: number, behaviour: string) {
  cluster.setupPrimary({ exec: WORKER, execArgv: ['--import', 'tsx'], args: [behaviour, journal] });
  const logs: Record<string, unknown>[] = [];
  const logger = jsonLogger((line) => logs.push(JSON.parse(line) as Record<string, unknown>), 'info');
  const pool = await WorkerPool.start(count, logger);
  pools.push(pool);
  const pids = logs.filter((line) => line.msg === 'worker ready').map((line) => line.pid as number);
  return { pool, pids, logs };
}

function journalLines(): string[] {
  return fs.existsSync(journal) ? fs.readFileSync(journal, 'utf8').trim().split('\n') : [];
}

async function eventually(condition: () => boolean): Promise<void> {
  for (let tries = 0; !condition(); tries++) {
    if (tries > 250) throw new Error('condition not met after 250 checks');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('WorkerPool', () => {
  it('starts every worker, takes the addresses they listen on, and stops them all drained', async () => {
    const { pool, pids } = await startPool(2, 'serve');
    expect(pids).toHaveLength(2);
    expect(pool.rest).toEqual({ host: '127.0.0.1', port: 8501 });
    expect(pool.grpc).toEqual({ host: '127.0.0.1', port: 8500 });
    expect(await pool.stop()).toEqual({ drained: true });
    expect(pids.some(alive)).toBe(false);
  });

  it('passes a reload to every worker as SIGHUP', async () => {
    const { pool } = await startPool(2, 'serve');
    pool.reload();
    await eventually(() => journalLines().length === 2);
    const [first, second] = journalLines().map((line) => line.split(' '));
    expect([first![1], second![1]]).toEqual(['SIGHUP', 'SIGHUP']);
    expect(first![0]).not.toBe(second![0]);
  });

  it(
    "fails to start with a worker's own error, " +
      'of the same kind and with the fields it names, and leaves no worker behind',
    async () => {
      const before = Object.keys(cluster.workers ?? {}).length;
      const failure = await startPool(2, 'refuse').catch((error: Error) => error);
      expect(failure).toBeInstanceOf(UserInputError);
      expect((failure as Error).message).toBe('models.config: no model named modelName=digits');
      expect((failure as UserInputError).parts).toEqual([
        'models.config: no model named ',
        { field: 'modelName', value: 'digits' },
      ]);
      await eventually(() => Object.keys(cluster.workers ?? {}).length === before);
    },
  );

  it('fails to start when a worker exits before it reports anything', async () => {
    const failure = await startPool(1, 'exit').catch((error: Error) => error);
    expect(failure).toBeInstanceOf(OperationalError);
    expect((failure as Error).message).toMatch(/^worker process \d+ exited during start-up \(code 3\)$/);
  });

  it('reports a worker that dies while serving as the crash of the whole server', async () => {
    const { pool, pids } = await startPool(2, 'serve');
    process.kill(pids[0]!, 'SIGKILL');
    const crash = await pool.crashed.catch((error: Error) => error);
    expect(crash).toBeInstanceOf(OperationalError);
    expect((crash as Error).message).toMatch(
      new RegExp(
        `^worker process \\d+ \\(pid ${pids[0]}\\) exited unexpectedly \\(signal SIGKILL\\); the server stopped$`,
      ),
    );
  });

  it(
    'takes a failed write to a worker that died unnoticed (EPIPE) ' + 'without dying itself, and reports the death',
    async () => {
      const { pool, pids } = await startPool(2, 'serve');
      const dying = Object.values(cluster.workers ?? {}).find((worker) => worker?.process.pid === pids[0])!;
      process.kill(pids[0]!, 'SIGKILL');
      // Blocks this event loop so the write below comes before the primary has seen the exit.
      const until = Date.now() + 300;
      while (Date.now() < until);
      expect(dying.isConnected()).toBe(true);
      dying.send({ type: 'mnist-serve:metrics', id: 0, text: '' });
      const crash = await pool.crashed.catch((error: Error) => error);
      expect((crash as Error).message).toMatch(/exited unexpectedly \(signal SIGKILL\); the server stopped$/);
    },
  );

  it(
    'starts workers that outlive a SIGINT sent to them directly ' + "(a terminal's Ctrl-C reaches the whole group)",
    async () => {
      const { pool, pids } = await startPool(1, 'serve');
      process.kill(pids[0]!, 'SIGINT');
      // SIGINT's default action would end the worker within milliseconds.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(alive(pids[0]!)).toBe(true);
      expect(await pool.stop()).toEqual({ drained: true });
    },
  );

  it("answers a worker's metrics request with every worker's metrics aggregated", async () => {
    await startPool(1, 'metrics');
    await eventually(() => journalLines().length > 0);
    expect(fs.readFileSync(journal, 'utf8')).toMatch(/^pool_worker_answers \d+$/m);
  });

  it(
    'answers a metrics request made while it stops with an error at once, ' + 'not after waiting for leaving workers',
    async () => {
      const { pool } = await startPool(2, 'metrics-while-stopping');
      const started = Date.now();
      expect(await pool.stop()).toEqual({ drained: true });
      expect(Date.now() - started).toBeLessThan(4_000);
      expect(journalLines().map((line) => line.replace(/^\d+ /, ''))).toEqual([
        'aggregating worker metrics: the server is stopping',
        'aggregating worker metrics: the server is stopping',
      ]);
    },
  );
});

describe('isWorkerMessage', () => {
  it("accepts the pool's own messages and nothing else on the shared IPC channel", () => {
    expect(isWorkerMessage({ type: 'mnist-serve:ready', rest: { host: '127.0.0.1', port: 1 } })).toBe(true);
    expect(isWorkerMessage({ type: 'mnist-serve:metrics-request', id: 0 })).toBe(true);
    // prom-client's aggregation messages and node:cluster's internal ones share the channel.
    expect(isWorkerMessage({ type: 'prom-client:getMetricsReq', requestId: 1 })).toBe(false);
    expect(isWorkerMessage({ cmd: 'NODE_CLUSTER' })).toBe(false);
    expect(isWorkerMessage(null)).toBe(false);
    expect(isWorkerMessage('mnist-serve:ready')).toBe(false);
  });
});
