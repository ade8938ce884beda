/**
 * `npm run bench:accuracy`: the training targets as a user meets them — `mnist-serve train` run
 * as a command, default flags: on the embedded digits (target: ≥ 95 % test accuracy, well under a
 * minute) and on full Fashion-MNIST (target: ≥ 88 % after the 5 default epochs). Wall time
 * includes start-up, data loading and the final evaluation. Writes bench/results/accuracy.json.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../src/util/atomic-write.ts';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const binPath = path.join(benchDir, '..', 'bin', 'mnist-serve');
const resultsFile = path.join(benchDir, 'results', 'accuracy.json');

function trainAsUser(name: string, args: string[]) {
  const checkpointDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-serve-bench-accuracy-'));
  try {
    process.stderr.write(`${name}: mnist-serve train ${args.join(' ')}…`);
    const started = performance.now();
    const result = spawnSync(
      process.execPath,
      [binPath, '--json', 'train', ...args, '--checkpoint-dir', checkpointDir],
      {
        encoding: 'utf8',
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const seconds = (performance.now() - started) / 1000;
    if (result.status !== 0)
      throw new Error(
        `${name} failed (exit ${result.status}): ${result.stderr.trim().split('\n').slice(-3).join('\n')}`,
      );
    const report = JSON.parse(result.stdout) as {
      evaluation: { accuracy: number; loss: number };
      samplesPerSecond: number;
      engine: string;
    };
    process.stderr.write(` ${(report.evaluation.accuracy * 100).toFixed(2)} % in ${seconds.toFixed(1)} s\n`);
    return {
      name,
      args,
      engine: report.engine,
      testAccuracy: report.evaluation.accuracy,
      testLoss: report.evaluation.loss,
      wallSeconds: Number(seconds.toFixed(1)),
      samplesPerSecond: Math.round(report.samplesPerSecond),
    };
  } finally {
    fs.rmSync(checkpointDir, { recursive: true, force: true });
  }
}

const embedded = trainAsUser('embedded mnist', []);
const fashion = trainAsUser('fashion-mnist', ['--data', 'fashion-mnist']);
const report = {
  date: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    loadAverageAfter: os.loadavg(),
  },
  runs: [embedded, fashion],
  targets: {
    embeddedAccuracyAtLeast95: embedded.testAccuracy >= 0.95,
    embeddedUnderAMinute: embedded.wallSeconds < 60,
    fashionAccuracyAtLeast88: fashion.testAccuracy >= 0.88,
  },
};
fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
writeFileAtomic(resultsFile, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`targets ${JSON.stringify(report.targets)}\nwrote ${path.relative(process.cwd(), resultsFile)}\n`);
