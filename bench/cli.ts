/**
 * `npm run bench:cli`: how long the commands that must feel instant take, wall clock, as a user
 * runs them (node + tsx + the command): `--help` (target: well under half a second) and
 * `inspect-graph` on a SavedModel (target: well under a second, without loading TensorFlow).
 * Median of several runs each. Writes bench/results/cli.json.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../src/util/atomic-write.ts';
import { exportBenchModel } from './serve-setup.ts';

const RUNS = 7;
const benchDir = path.dirname(fileURLToPath(import.meta.url));
const binPath = path.join(benchDir, '..', 'bin', 'mnist-serve');
const resultsFile = path.join(benchDir, 'results', 'cli.json');

function medianSeconds(args: string[]): number {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, [binPath, ...args], { encoding: 'utf8' });
    times.push((performance.now() - started) / 1000);
    if (result.status !== 0) throw new Error(`mnist-serve ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  }
  times.sort((a, b) => a - b);
  return Number(times[Math.floor(RUNS / 2)]!.toFixed(3));
}

const base = await exportBenchModel();
try {
  const measurements = [
    { command: '--help', seconds: medianSeconds(['--help']), targetSeconds: 0.5 },
    { command: 'inspect-graph --saved-model DIR', seconds: medianSeconds(['inspect-graph', '--saved-model', path.join(base, '1')]), targetSeconds: 1 },
    { command: 'inspect-graph --saved-model DIR --signatures', seconds: medianSeconds(['inspect-graph', '--saved-model', path.join(base, '1'), '--signatures']), targetSeconds: 1 },
  ].map((m) => ({ ...m, met: m.seconds < m.targetSeconds }));
  for (const m of measurements) process.stderr.write(`${m.command.padEnd(46)} ${m.seconds.toFixed(3)} s (target < ${m.targetSeconds} s)\n`);
  const report = {
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', node: process.version, loadAverage: os.loadavg()[0] },
    runsPerCommand: RUNS,
    measurements,
    allMet: measurements.every((m) => m.met),
  };
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  writeFileAtomic(resultsFile, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`wrote ${resultsFile}\n`);
} finally {
  fs.rmSync(base, { recursive: true, force: true });
}
