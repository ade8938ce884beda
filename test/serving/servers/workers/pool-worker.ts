/**
 * A worker process for worker-pool.test.ts: the real worker side of the cluster protocol
 * (workers/worker-side.ts) around no server, so the pool can be exercised without TensorFlow.
 * argv[2] picks its behaviour; argv[3] is a file it appends what it saw to.
 */
import fs from 'node:fs';
import { Counter, Registry } from 'prom-client';
import { field, fieldMessage, UserInputError } from '../../../../src/errors.ts';
import {
  clusterMetrics,
  leaveCluster,
  reportFailure,
  reportReady,
  reportStopped,
  workerId,
} from '../../../../src/serving/servers/workers/worker-side.ts';

const [behaviour, journal] = process.argv.slice(2) as [string, string];
const note = (line: string) => fs.appendFileSync(journal, `${workerId()} ${line}\n`);

if (behaviour === 'refuse') {
  await reportFailure(new UserInputError(fieldMessage`models.config: no model named ${field('modelName', 'digits')}`));
  leaveCluster();
} else if (behaviour === 'exit') {
  process.exit(3);
} else {
  const registry = new Registry();
  new Counter({ name: 'pool_worker_answers', help: 'answers of this worker', registers: [registry] }).inc(workerId());
  const aggregated = clusterMetrics(registry);
  // Stays up until the pool stops it, as a server would.
  const alive = setInterval(() => {}, 60_000);
  process.on('SIGHUP', () => note('SIGHUP'));
  process.once('SIGTERM', async () => {
    clearInterval(alive);
    // A scrape that reaches a worker while the server stops.
    if (behaviour === 'metrics-while-stopping') note(await aggregated().catch((error: Error) => error.message));
    await reportStopped(true);
    leaveCluster();
  });
  await reportReady({ host: '127.0.0.1', port: 8501 }, { host: '127.0.0.1', port: 8500 });
  if (behaviour === 'metrics') note(await aggregated());
}
