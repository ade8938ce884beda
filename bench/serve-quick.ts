/**
 * `tsx bench/serve-quick.ts [seconds] [concurrency] [workers]`: one REST point of bench:serve (batching on)
 * plus the server process's CPU time per request, read from /proc (Linux) — the number to watch
 * when cutting the server's per-request cost. Set SERVE_NODE_OPTIONS (e.g. --cpu-prof) to profile.
 */
import autocannon from 'autocannon';
import fs from 'node:fs';
import { exportBenchModel, processCpuMicros, requestBody, startServer } from './serve-setup.ts';

const seconds = Number(process.argv[2] ?? 5);
const connections = Number(process.argv[3] ?? 64);
const workers = Number(process.argv[4] ?? 1);

const base = await exportBenchModel();
try {
  const server = await startServer(
    base,
    true,
    workers,
    (process.env.SERVE_NODE_OPTIONS ?? '').split(' ').filter(Boolean),
  );
  try {
    const cpuMicros = () => processCpuMicros(server.pid);
    const run = (duration: number) =>
      autocannon({
        url: `${server.url}/v1/models/mnist:predict`,
        method: 'POST',
        body: requestBody,
        headers: { 'content-type': 'application/json' },
        connections,
        duration,
      });
    await run(1);
    const before = cpuMicros();
    const result = await run(seconds);
    const cpu = cpuMicros() - before;
    const summary = {
      connections,
      workers,
      requestsPerSecond: Math.round(result.requests.average),
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.timeouts + result.non2xx,
      serverCpuMicrosPerRequest: Math.round(cpu / result.requests.total),
      serverCpuShare: Number((cpu / (seconds * 1e6)).toFixed(2)),
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    await server.stop();
  }
} finally {
  fs.rmSync(base, { recursive: true, force: true });
}
