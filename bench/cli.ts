/**
 * `npm run bench:cli`: how long the commands that must feel instant take, wall clock, as a user
 * runs them: from the installed package (compiled JavaScript: `--help` under 150 ms) and from a git
 * clone (node + tsx: `--help` well under half a second); `inspect-graph` on a SavedModel well under
 * a second either way, without loading TensorFlow. Median of several runs each. Writes
 * bench/results/cli.json.
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
const projectRoot = path.join(benchDir, '..');
const cloneBin = path.join(projectRoot, 'bin', 'mnist-serve');
const resultsFile = path.join(benchDir, 'results', 'cli.json');

/**
 * The installed package's layout (bin/, dist/, package.json; what `files` ships) in a temporary
 * directory whose node_modules is the project's, so bin/ takes the compiled path as when installed.
 */
function installedLayout(): string {
  const built = spawnSync(process.execPath, [path.join(projectRoot, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error(`scripts/build.mjs exited ${built.status}`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-serve-bench-cli-'));
  for (const entry of ['bin', 'dist', 'package.json'])
    fs.cpSync(path.join(projectRoot, entry), path.join(root, entry), { recursive: true });
  fs.symlinkSync(path.join(projectRoot, 'node_modules'), path.join(root, 'node_modules'));
  return root;
}

const clockTicksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/**
 * CPU seconds (user + system) of this process's finished children, from /proc/self/stat (Linux;
 * null elsewhere). Unlike wall time it barely moves when other work shares the machine.
 */
function childrenCpuSeconds(): number | null {
  if (!fs.existsSync('/proc/self/stat')) return null;
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  // Fields after the parenthesised command name start at field 3; cutime and cstime are 16 and 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / clockTicksPerSecond;
}

/** Median wall time of `node ARGS…`, and its mean CPU time where the system reports it. */
function measure(nodeArgs: string[]): { seconds: number; cpuSeconds: number | null } {
  const times: number[] = [];
  const cpuBefore = childrenCpuSeconds();
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, nodeArgs, { encoding: 'utf8' });
    times.push((performance.now() - started) / 1000);
    if (result.status !== 0) throw new Error(`node ${nodeArgs.join(' ')} exited ${result.status}: ${result.stderr}`);
  }
  const cpuAfter = childrenCpuSeconds();
  times.sort((a, b) => a - b);
  return {
    seconds: Number(times[Math.floor(RUNS / 2)]!.toFixed(3)),
    cpuSeconds: cpuBefore === null || cpuAfter === null ? null : Number(((cpuAfter - cpuBefore) / RUNS).toFixed(3)),
  };
}

const base = await exportBenchModel();
let installed: string | undefined;
try {
  installed = installedLayout();
  const installedBin = path.join(installed, 'bin', 'mnist-serve');
  const inspect = ['inspect-graph', '--saved-model', path.join(base, '1')];
  const measurements = [
    { runs: 'installed', command: '--help', ...measure([installedBin, '--help']), targetSeconds: 0.15 },
    {
      runs: 'installed',
      command: 'inspect-graph --saved-model DIR',
      ...measure([installedBin, ...inspect]),
      targetSeconds: 1,
    },
    { runs: 'clone', command: '--help', ...measure([cloneBin, '--help']), targetSeconds: 0.5 },
    { runs: 'clone', command: 'inspect-graph --saved-model DIR', ...measure([cloneBin, ...inspect]), targetSeconds: 1 },
    {
      runs: 'clone',
      command: 'inspect-graph --saved-model DIR --signatures',
      ...measure([cloneBin, ...inspect, '--signatures']),
      targetSeconds: 1,
    },
  ].map((m) => ({ ...m, met: m.seconds < m.targetSeconds }));
  const nodeAlone = measure(['-e', '0']);
  const cpu = (seconds: number | null) => (seconds === null ? '' : `, ${seconds.toFixed(3)} s CPU`);
  for (const m of measurements)
    process.stderr.write(
      `${m.runs.padEnd(10)} ${m.command.padEnd(46)} ` +
        `${m.seconds.toFixed(3)} s${cpu(m.cpuSeconds)} (target < ${m.targetSeconds} s)\n`,
    );
  process.stderr.write(`${'node -e 0'.padEnd(57)} ${nodeAlone.seconds.toFixed(3)} s${cpu(nodeAlone.cpuSeconds)}\n`);
  const report = {
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
      loadAverage: os.loadavg()[0],
    },
    runsPerCommand: RUNS,
    nodeAlone,
    measurements,
    allMet: measurements.every((m) => m.met),
  };
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  writeFileAtomic(resultsFile, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`wrote ${resultsFile}\n`);
} finally {
  fs.rmSync(base, { recursive: true, force: true });
  if (installed) fs.rmSync(installed, { recursive: true, force: true });
}
