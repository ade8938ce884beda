import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listTensorBundle, bundleFiles } from '../../src/formats/tensor-bundle/index.ts';
import { train } from '../../src/training/run-training.ts';
import { writeIdxDir } from '../data/fixtures.ts';
import { runCli, userStderr } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { trainOptions } from '../helpers/train-options.ts';

let dir: string;

/** A copy of the trained directory, so a test that changes files leaves the others alone. */
function copyOfCheckpoints(): string {
  const copy = tempDir('cli-ckpt-copy');
  fs.cpSync(dir, copy, { recursive: true });
  return copy;
}

beforeAll(async () => {
  dir = tempDir('cli-ckpt');
  await train(trainOptions(dir, { trainSamples: 128, testSamples: 64, epochs: 3 }));
});

/** A copy of ckpt-3 whose dense/bias bytes no longer match their checksum; its prefix. */
function copyWithDamagedBias(): string {
  const prefix = path.join(copyOfCheckpoints(), 'ckpt-3');
  const entry = listTensorBundle(prefix).find((e) => e.name === 'dense/bias')!;
  const bytes = fs.readFileSync(bundleFiles(prefix).data);
  bytes[entry.offset] ^= 1;
  fs.writeFileSync(bundleFiles(prefix).data, bytes);
  return prefix;
}

describe('mnist-serve checkpoint', () => {
  it('list shows every checkpoint with epoch, step, metrics, size and time, marking the latest', async () => {
    const human = await runCli(['checkpoint', 'list', '--checkpoint-dir', dir]);
    expect(human.code).toBe(0);
    const rows = human.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^prefix\s+epoch\s+step\s+loss\s+accuracy\s+val_loss\s+val_accuracy\s+size\s+time/);
    expect(rows.slice(1).map((r) => path.basename(r.split(/\s+/)[0]!))).toEqual(['ckpt-1', 'ckpt-2', 'ckpt-3']);
    expect(rows[3]).toMatch(/\s3\s+12\s.*KiB.*latest/);

    const json = JSON.parse((await runCli(['--json', 'checkpoint', 'list', '--checkpoint-dir', dir])).stdout);
    expect(json.checkpoints).toHaveLength(3);
    expect(json.checkpoints.filter((c: { best: boolean }) => c.best)).toHaveLength(1);
    expect(json.checkpoints[2]).toMatchObject({ epoch: 3, step: 12, latest: true, problem: null });
    expect(Object.keys(json.checkpoints[0].metrics).sort()).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
  });

  it('show lists all 33 tensors with dtype, shape, size and an ok checksum', async () => {
    const result = await runCli(['--json', 'checkpoint', 'show', path.join(dir, 'ckpt-2')]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.ok).toBe(true);
    expect(report.tensors).toHaveLength(33);
    expect(report.tensors.find((t: { name: string }) => t.name === 'conv2d_2/kernel')).toMatchObject({
      dtype: 'float32',
      shape: [3, 3, 32, 64],
      size: 3 * 3 * 32 * 64 * 4,
      status: 'ok',
    });
    expect(report.meta).toMatchObject({ epoch: 2, step: 8, engine: 'eager' });
  });

  it('show exits 2 and names the tensor whose bytes no longer match their checksum', async () => {
    const prefix = copyWithDamagedBias();
    const result = await runCli(['checkpoint', 'show', prefix]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^dense\/bias\s+float32\s+\[32\]\s+128\s+[0-9a-f]{8}\s+checksum mismatch$/m);
    expect(userStderr(result.stderr)).toEqual([
      `mnist-serve: error: ${prefix}.data-00000-of-00001: dense/bias (checksum mismatch)`,
    ]);
    const evaluate = await runCli(['checkpoint', 'evaluate', prefix]);
    expect(evaluate.code).toBe(2);
    expect(userStderr(evaluate.stderr).join('\n')).toMatch(/ckpt-3\.data-00000-of-00001.*dense\/bias/);
  });

  it('show --json on a damaged checkpoint prints exactly one JSON object: the error naming the tensor', async () => {
    const prefix = copyWithDamagedBias();
    const result = await runCli(['--json', 'checkpoint', 'show', prefix]);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      error: { kind: 'usage', message: `${prefix}.data-00000-of-00001: dense/bias (checksum mismatch)` },
    });
  });

  it("evaluate reports the test accuracy the checkpoint's last epoch measured on the same data", async () => {
    const sidecar = JSON.parse(fs.readFileSync(path.join(dir, 'ckpt-3.json'), 'utf8'));
    const result = await runCli(['--json', 'checkpoint', 'evaluate', path.join(dir, 'ckpt-3'), '--test-samples', '64']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.data).toMatchObject({ name: 'mnist', samples: 64 });
    expect(report.accuracy).toBeCloseTo(sidecar.metrics.val_accuracy, 6);
    expect(report.loss).toBeCloseTo(sidecar.metrics.val_loss, 5);
    const human = await runCli(['checkpoint', 'evaluate', dir, '--test-samples', '64']);
    expect(human.stdout).toMatch(/^Eval accuracy percentage: \d+\.\d\d$/m);
  });

  it('restore --promote verifies a checkpoint and makes it the latest; prune then keeps it', async () => {
    const copy = copyOfCheckpoints();
    const restored = await runCli(['--json', 'checkpoint', 'restore', path.join(copy, 'ckpt-1'), '--promote']);
    expect(restored.code).toBe(0);
    expect(JSON.parse(restored.stdout)).toMatchObject({
      epoch: 1,
      step: 4,
      variables: 10,
      parameters: 42090,
      promoted: true,
    });
    expect(fs.readFileSync(path.join(copy, 'checkpoint'), 'utf8')).toMatch(/^model_checkpoint_path: "ckpt-1"$/m);

    const pruned = await runCli(['--json', 'checkpoint', 'prune', '--keep', '2', '--checkpoint-dir', copy]);
    expect(pruned.code).toBe(0);
    const report = JSON.parse(pruned.stdout);
    expect(report.kept.map((p: string) => path.basename(p))).toEqual(['ckpt-3', 'ckpt-1']);
    expect(report.removed.map((p: string) => path.basename(p))).toEqual(['ckpt-2']);
    expect(fs.existsSync(path.join(copy, 'ckpt-2.index'))).toBe(false);
  });

  it('show on a prefix that does not exist exits 2 naming the missing file', async () => {
    const result = await runCli(['checkpoint', 'show', path.join(dir, 'ckpt-9')]);
    expect(result.code).toBe(2);
    expect(userStderr(result.stderr)).toEqual([expect.stringMatching(/ckpt-9\.index: no such file/)]);
  });
});

describe('mnist-serve checkpoint evaluate on a checkpoint trained with --data-dir', () => {
  let idx: string;
  let prefix: string;

  beforeAll(async () => {
    const root = tempDir('cli-ckpt-idx');
    idx = path.join(root, 'idx');
    writeIdxDir(idx, { train: 64, test: 40 });
    await train({
      data: { dataDir: idx },
      epochs: 1,
      batchSize: 32,
      learningRate: 0.001,
      head: 'sigmoid',
      engine: 'graph',
      checkpoint: { kind: 'directory', dir: path.join(root, 'ckpt'), keep: 5, saveBestOnly: false },
      resume: false,
      monitor: 'val_accuracy',
      earlyStoppingPatience: null,
      tensorboard: null,
    });
    prefix = path.join(root, 'ckpt', 'ckpt-1');
  });

  it('with only --seed still reads the IDX directory it was trained on, not the embedded digits', async () => {
    const sidecar = JSON.parse(fs.readFileSync(`${prefix}.json`, 'utf8'));
    const result = await runCli(['--json', 'checkpoint', 'evaluate', prefix, '--seed', '1']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.data).toEqual({ name: 'idx', source: idx, samples: 40 });
    expect(report.accuracy).toBeCloseTo(sidecar.metrics.val_accuracy, 6);
  });

  it('with --data-dir evaluates on that directory instead', async () => {
    const other = tempDir('cli-ckpt-other');
    writeIdxDir(other, { train: 10, test: 20 });
    const result = await runCli(['--json', 'checkpoint', 'evaluate', prefix, '--data-dir', other]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).data).toEqual({ name: 'idx', source: other, samples: 20 });
  });
});
