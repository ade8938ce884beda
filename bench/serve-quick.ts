/**
 * `tsx bench/serve-quick.ts [seconds] [concurrency]`: one REST point of bench:serve (batching on)
 * plus the server process's CPU time per request, read from /proc (Linux) — the number to watch
 * when cutting the server's per-request cost. Set SERVE_NODE_OPTIONS (e.g. --cpu-prof) to profile.
 */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTf } from '../src/engine/tf.ts';
import { initialVariables } from '../src/model/init.ts';
import { defaultModelSpec } from '../src/model/spec.ts';
import { exportSavedModel } from '../src/savedmodel/export.ts';
import { DEFAULT_SIGNATURE_NAME, PREDICT_CLASSES_SIGNATURE_NAME } from '../src/savedmodel/signatures.ts';

const seconds = Number(process.argv[2] ?? 5);
const connections = Number(process.argv[3] ?? 64);
const binPath = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'mnist-serve');
const pixels = Array.from({ length: 28 }, (_, y) => Array.from({ length: 28 }, (_, x) => [((x * 28 + y) * 37 % 255) / 255]));
const body = JSON.stringify({ instances: [pixels] });

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-serve-quick-'));
const spec = defaultModelSpec();
await exportSavedModel({
  spec, weights: initialVariables(spec, 1), basePath: base, version: 1, modelName: 'mnist',
  signatureNames: { main: DEFAULT_SIGNATURE_NAME, classes: PREDICT_CLASSES_SIGNATURE_NAME },
  verify: false, warmupRequests: 0, loadTf,
});
const nodeArgs = (process.env.SERVE_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
const child = spawn(process.execPath, [...nodeArgs, binPath, 'serve', '--rest-api-port', '0', '--port', '0', '--model-base-path', base, '--file-system-poll-wait-seconds', '0', '--enable-batching'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } });
let stderr = '';
const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
const url = await new Promise<string>((resolve, reject) => {
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
    const match = /"url":"([^"]+)"/.exec(stderr);
    if (match) resolve(match[1]!);
  });
  child.on('close', (code) => reject(new Error(`serve exited with ${code}: ${stderr.slice(-500)}`)));
});
/** utime + stime of the server process in microseconds. */
const cpuMicros = () => {
  const fields = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
};
const run = (duration: number) => autocannon({ url: `${url}/v1/models/mnist:predict`, method: 'POST', body, headers: { 'content-type': 'application/json' }, connections, duration });
await run(1);
const before = cpuMicros();
const result = await run(seconds);
const cpu = cpuMicros() - before;
process.stdout.write(`${JSON.stringify({ connections, requestsPerSecond: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts + result.non2xx, serverCpuMicrosPerRequest: Math.round(cpu / result.requests.total), serverCpuShare: Number((cpu / (seconds * 1e6)).toFixed(2)) })}\n`);
child.kill('SIGTERM');
await exited;
fs.rmSync(base, { recursive: true, force: true });
