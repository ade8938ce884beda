import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/checkpoint/index.ts';
import { writeIdxDir } from '../data/fixtures.ts';
import { binPath, projectRoot, runCli, runOnTerminal, userStderr, type CliResult } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** Runs `train`, sending `signals` (back to back) once stderr shows `trigger`. */
function trainUntil(
  args: string[],
  trigger: RegExp,
  signals: NodeJS.Signals | NodeJS.Signals[],
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, 'train', ...args], {
      cwd: projectRoot,
      env: { ...process.env, NO_COLOR: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (!sent && trigger.test(stderr)) {
        sent = true;
        for (const signal of [signals].flat()) child.kill(signal);
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/**
 * Stops a 40-epoch run with `signal` during its first epoch; checks the one-line report and the
 * resume hint, and returns the run's directory and the checkpoint it wrote.
 */
async function interruptMidTraining(signal: 'SIGINT' | 'SIGTERM'): Promise<{ dir: string; prefix: string }> {
  const dir = tempDir('cli-train');
  const args = ['--train-samples', '1024', '--test-samples', '64', '--epochs', '40', '--checkpoint-dir', dir];
  const result = await trainUntil(args, /^Epoch 1\/40 /m, signal);
  expect(result.code).toBe(130);
  const lines = userStderr(result.stderr);
  expect(lines).toContainEqual(
    expect.stringMatching(new RegExp(`^Interrupted by ${signal}; checkpoint written to .*ckpt-\\d+$`)),
  );
  expect(lines).toContain(`resume with: mnist-serve train --resume --checkpoint-dir ${dir} --epochs 40`);
  return { dir, prefix: /checkpoint written to (\S+)/.exec(result.stderr)![1]! };
}

describe('mnist-serve train', () => {
  it(
    '--json prints one object with per-epoch metrics, ' +
      'the final evaluation, the checkpoint, duration and samples/s',
    async () => {
      const dir = tempDir('cli-train');
      const result = await runCli([
        '--json',
        'train',
        '--train-samples',
        '128',
        '--test-samples',
        '64',
        '--epochs',
        '2',
        '--checkpoint-dir',
        dir,
      ]);
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.status).toBe('completed');
      expect(report.epochs).toHaveLength(2);
      expect(Object.keys(report.epochs[0]).sort()).toEqual([
        'accuracy',
        'checkpoint',
        'epoch',
        'loss',
        'samplesPerSecond',
        'seconds',
        'val_accuracy',
        'val_loss',
      ]);
      expect(report.epochs[1].checkpoint).toBe(path.join(dir, 'ckpt-2'));
      expect(report.evaluation.accuracyPercent).toBeCloseTo(report.evaluation.accuracy * 100, 2);
      expect(report.evaluation.accuracy).toBe(report.epochs[1].val_accuracy);
      expect(report.checkpoint).toBe(path.join(dir, 'ckpt-2'));
      expect(report).toMatchObject({ epoch: 2, step: 8, engine: 'graph', run: { epochs: 2, batchSize: 32, seed: 42 } });
      expect(report.data).toMatchObject({ name: 'mnist', trainSamples: 128, testSamples: 64 });
      expect(report.durationSeconds).toBeGreaterThan(0);
      expect(report.samplesPerSecond).toBeGreaterThan(0);
      expect(userStderr(result.stderr).filter((l) => l.startsWith('Epoch '))).toHaveLength(2);
    },
  );

  it('redraws a progress bar on a terminal, and prints plain epoch lines there with --no-color', async () => {
    const dir = tempDir('cli-train');
    const onTerminal = (extra: string[]) =>
      runOnTerminal([
        ...extra,
        'train',
        '--train-samples',
        '256',
        '--test-samples',
        '32',
        '--epochs',
        '1',
        '--checkpoint-dir',
        dir,
      ]);
    const withBar = await onTerminal([]);
    expect(withBar.code).toBe(0);
    expect(withBar.stdout).toMatch(/Epoch 1 \[[░█]+\] \d+\/8 - loss: /);
    expect(withBar.stdout).toContain('\x1b[');
    const plain = await onTerminal(['--no-color']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^Epoch 1\/1 - .* val_accuracy: /m);
    expect(plain.stdout).not.toContain('\x1b[');
  });

  it(
    "prints the notebook's `Eval accuracy percentage` and " +
      'writes its weights-only checkpoint with --checkpoint-path',
    async () => {
      const dir = tempDir('cli-train');
      const prefix = path.join(dir, 'training', 'cp.ckpt');
      const result = await runCli([
        'train',
        '--train-samples',
        '64',
        '--test-samples',
        '32',
        '--epochs',
        '1',
        '--checkpoint-path',
        prefix,
      ]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Eval accuracy percentage: \d{1,3}\.\d\d$/m);
      expect(result.stdout).toMatch(/^Eval loss: \d+\.\d{4}$/m);
      // Not a TTY: one plain line per epoch, no progress bar.
      expect(userStderr(result.stderr)).toContainEqual(
        expect.stringMatching(
          new RegExp(
            '^Epoch 1/1 - [\\d.]+s - \\d+ samples/s - loss: [\\d.]+ - accuracy: [\\d.]+ - ' +
              'val_loss: [\\d.]+ - val_accuracy: [\\d.]+ - saved ',
          ),
        ),
      );
      expect(fs.readFileSync(path.join(dir, 'training', 'checkpoint'), 'utf8')).toContain(
        'model_checkpoint_path: "cp.ckpt"',
      );
      expect((await loadCheckpoint(prefix)).meta.weightsOnly).toBe(true);
    },
  );

  it(
    'on SIGTERM finishes the step, writes a checkpoint, ' + 'says how to resume and exits 130; --resume then completes',
    async () => {
      const { dir, prefix } = await interruptMidTraining('SIGTERM');
      const checkpoint = await loadCheckpoint(prefix);
      // Mid-epoch the loop writes an `interrupted` checkpoint at that batch; a signal that lands just
      // after an epoch's checkpoint needs no new one, so the epoch's own is the resume point.
      expect(checkpoint.meta.epoch).toBeGreaterThanOrEqual(1);
      if (checkpoint.meta.reason === 'epoch') expect(checkpoint.meta.batch).toBe(0);
      else expect(checkpoint.meta.reason).toBe('interrupted');

      const resumed = await runCli([
        '--json',
        'train',
        '--resume',
        '--checkpoint-dir',
        dir,
        '--epochs',
        String(checkpoint.meta.epoch + 1),
      ]);
      expect(resumed.code).toBe(0);
      const report = JSON.parse(resumed.stdout);
      expect(report).toMatchObject({ status: 'completed', resumedFrom: prefix, epoch: checkpoint.meta.epoch + 1 });
      expect(report.data).toMatchObject({ trainSamples: 1024, testSamples: 64 });
    },
  );

  it('interrupted before the first training step, saves nothing and says so (exit 130)', async () => {
    const dir = tempDir('cli-train');
    // The graph engine loads its SavedModel (TensorFlow logs it) well before the first step.
    const args = ['--train-samples', '64', '--test-samples', '32', '--epochs', '1', '--checkpoint-dir', dir];
    const result = await trainUntil(args, /Reading SavedModel from/, 'SIGINT', { TF_CPP_MIN_LOG_LEVEL: '0' });
    expect(result.code).toBe(130);
    expect(userStderr(result.stderr)).toContain(
      'Interrupted by SIGINT before the first training step; nothing was saved',
    );
    expect(fs.existsSync(dir) ? fs.readdirSync(dir) : []).toEqual([]);
  });

  it('on SIGINT (Ctrl-C) finishes the step, writes a checkpoint that loads and exits 130', async () => {
    const { prefix } = await interruptMidTraining('SIGINT');
    expect((await loadCheckpoint(prefix)).meta.epoch).toBeGreaterThanOrEqual(1);
  });

  it('exits at once on a second signal, without finishing the step or writing a checkpoint', async () => {
    const dir = tempDir('cli-train');
    const args = ['--train-samples', '1024', '--test-samples', '64', '--epochs', '40', '--checkpoint-dir', dir];
    // Two different signals, so the kernel cannot merge them into one.
    const result = await trainUntil(args, /^Epoch 1\/40 /m, ['SIGINT', 'SIGTERM']);
    expect([130, 143]).toContain(result.code);
    expect(result.stderr).not.toContain('Interrupted by');
    expect(result.stdout).toBe('');
  });

  it(
    '--checkpoint-path refuses --keep, --save-best-only and --checkpoint-dir ' +
      '(exit 2, one line) instead of ignoring them',
    async () => {
      const prefix = path.join(tempDir('cli-train'), 'cp.ckpt');
      for (const extra of [['--keep', '3'], ['--save-best-only'], ['--checkpoint-dir', tempDir('cli-train')]]) {
        const result = await runCli(['train', '--checkpoint-path', prefix, ...extra]);
        expect(result.code, extra.join(' ')).toBe(2);
        expect(userStderr(result.stderr)).toEqual([
          expect.stringMatching(
            new RegExp(
              `^mnist-serve: error: option '--checkpoint-path <prefix>' cannot be used with option '${extra[0]}`,
            ),
          ),
        ]);
      }
    },
  );

  it("--help says --seed also fixes the initial weights and every epoch's shuffle", async () => {
    const result = await runCli(['train', '--help']);
    expect(result.code).toBe(0);
    const help = result.stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(
      new RegExp(
        "--seed <n> seed of the embedded set's train/test split; " +
          "for train also of the initial weights and every epoch's shuffle",
      ),
    );
  });

  it('--data-dir trains on the IDX files of a directory and records it', async () => {
    const dir = tempDir('cli-train');
    const idx = path.join(dir, 'idx');
    writeIdxDir(idx, { train: 64, test: 40 });
    const result = await runCli([
      '--json',
      'train',
      '--data-dir',
      idx,
      '--epochs',
      '1',
      '--checkpoint-dir',
      path.join(dir, 'ckpt'),
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.data).toEqual({ name: 'idx', source: idx, dataDir: idx, trainSamples: 64, testSamples: 40 });
    expect(report.step).toBe(2);
    expect((await loadCheckpoint(report.checkpoint)).meta.data.dataDir).toBe(idx);
  });

  it('--save-best-only --monitor val_loss writes a checkpoint exactly at each new lowest val_loss', async () => {
    const dir = tempDir('cli-train');
    const result = await runCli([
      '--json',
      'train',
      '--train-samples',
      '256',
      '--test-samples',
      '64',
      '--epochs',
      '3',
      '--learning-rate',
      '0.003',
      '--save-best-only',
      '--monitor',
      'val_loss',
      '--checkpoint-dir',
      dir,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const epochs: { val_loss: number; checkpoint: string | null }[] = JSON.parse(result.stdout).epochs;
    let lowest = Infinity;
    const expected = epochs.map((e) => {
      const improved = e.val_loss < lowest;
      if (improved) lowest = e.val_loss;
      return improved;
    });
    expect(epochs.map((e) => e.checkpoint !== null)).toEqual(expected);
    const last = epochs.filter((e) => e.checkpoint).at(-1)!;
    expect((await loadCheckpoint(last.checkpoint!)).meta.best).toMatchObject({ monitor: 'val_loss', value: lowest });
  });

  it('--early-stopping-patience with --monitor val_loss stops when val_loss stops falling', async () => {
    const dir = tempDir('cli-train');
    // A learning rate too small to change anything: val_loss never improves after epoch 1.
    const result = await runCli([
      '--json',
      'train',
      '--train-samples',
      '64',
      '--test-samples',
      '32',
      '--epochs',
      '5',
      '--learning-rate',
      '1e-12',
      '--monitor',
      'val_loss',
      '--early-stopping-patience',
      '2',
      '--checkpoint-dir',
      dir,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ status: 'early-stopped', epoch: 3 });
    expect(userStderr(result.stderr)).toContainEqual(
      expect.stringMatching(/^Early stopping after epoch 3: val_loss last improved at epoch 1 \(/),
    );
  });

  it('--resume in a directory without checkpoints says so and trains from scratch', async () => {
    const dir = tempDir('cli-train');
    const result = await runCli([
      '--json',
      'train',
      '--resume',
      '--train-samples',
      '64',
      '--test-samples',
      '32',
      '--epochs',
      '1',
      '--checkpoint-dir',
      dir,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(userStderr(result.stderr)).toContain(`--resume: no checkpoint in ${dir} yet; training from scratch`);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'completed', resumedFrom: null, epoch: 1, step: 2 });
  });

  it('--head softmax trains a softmax model that checkpoint evaluate then scores the same', async () => {
    const dir = tempDir('cli-train');
    const result = await runCli([
      '--json',
      'train',
      '--head',
      'softmax',
      '--train-samples',
      '256',
      '--test-samples',
      '64',
      '--epochs',
      '1',
      '--checkpoint-dir',
      dir,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.model.head).toBe('softmax');
    const checkpoint = await loadCheckpoint(report.checkpoint);
    expect(checkpoint.spec.head).toBe('softmax');
    expect(checkpoint.spec.layers.at(-1)).toMatchObject({ kind: 'dense', activation: 'softmax' });
    const evaluated = JSON.parse(
      (await runCli(['--json', 'checkpoint', 'evaluate', report.checkpoint, '--test-samples', '64'])).stdout,
    );
    expect(evaluated.accuracy).toBeCloseTo(report.evaluation.accuracy, 6);
    expect(evaluated.loss).toBeCloseTo(report.evaluation.loss, 5);
  });

  it('rejects a non-positive --epochs with exit 2 and one line', async () => {
    const result = await runCli(['train', '--epochs', '0']);
    expect(result.code).toBe(2);
    expect(userStderr(result.stderr)).toEqual([expect.stringMatching(/--epochs.*expected a positive integer/)]);
  });
});
