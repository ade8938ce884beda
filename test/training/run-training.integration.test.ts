import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  latestCheckpoint,
  listCheckpoints,
  loadCheckpoint,
  type LoadedCheckpoint,
} from '../../src/checkpoint/index.ts';
import { UserInputError } from '../../src/errors.ts';
import type { TrainingEvent } from '../../src/training/events.ts';
import { train, type TrainOptions } from '../../src/training/run-training.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { trainOptions } from '../helpers/train-options.ts';

/** A few hundred embedded digits, 8 steps an epoch: real training, a second or so per epoch. */
function options(dir: string, overrides: Partial<TrainOptions> = {}): TrainOptions {
  return trainOptions(dir, { data: { seed: 7 }, ...overrides });
}

function maxDifference(a: LoadedCheckpoint, b: LoadedCheckpoint): number {
  let max = 0;
  for (const key of ['variables', 'm', 'v'] as const) {
    const left = key === 'variables' ? a.state.variables : a.state.adam[key];
    const right = key === 'variables' ? b.state.variables : b.state.adam[key];
    for (const [name, values] of left) {
      const other = right.get(name)!;
      values.forEach((value, i) => (max = Math.max(max, Math.abs(value - other[i]!))));
    }
  }
  return max;
}

const latest = async (dir: string) => loadCheckpoint(latestCheckpoint(dir)!);

describe('training with checkpoints', () => {
  // Graph steps are bit-identical from run to run (measured: difference 0); eager's tfjs ops are
  // allowed float noise.
  it.each([
    { engine: 'eager', tolerance: 1e-7 },
    { engine: 'graph', tolerance: 0 },
  ] as const)(
    'resumed after epoch 1 of 2 ($engine engine) ' +
      'ends with the same weights and Adam state as an uninterrupted 2-epoch run',
    async ({ engine, tolerance }) => {
      const straightDir = tempDir('train');
      const straight = await train(options(straightDir, { engine }));
      expect(straight.status).toBe('completed');
      expect(straight.history.map((r) => r.epoch)).toEqual([1, 2]);
      expect(straight.evaluation!.loss).toBeLessThan(2.31);

      const resumedDir = tempDir('train');
      await train(options(resumedDir, { engine, epochs: 1 }));
      const resumed = await train(options(resumedDir, { engine, resume: true }));
      expect(resumed.resumedFrom).toBe(path.join(resumedDir, 'ckpt-1'));
      expect(resumed.history.map((r) => r.epoch)).toEqual([2]);

      const a = await latest(straightDir);
      const b = await latest(resumedDir);
      expect(b.state.adam.step).toBe(a.state.adam.step);
      expect(b.meta.epoch).toBe(2);
      expect(maxDifference(a, b)).toBeLessThanOrEqual(tolerance);
      expect(resumed.evaluation!.loss).toBeCloseTo(straight.evaluation!.loss, 6);
    },
  );

  // The engines agree to float round-off, not bits (measured under 4e-7 after 16 steps); a lost
  // Adam slot, step count or data position would show as differences of 1e-4 and more.
  it.each([
    { first: 'eager', second: 'graph' },
    { first: 'graph', second: 'eager' },
  ] as const)(
    'resumes from $first engine checkpoint files with the $second engine as if it had not switched',
    async ({ first, second }) => {
      const straightDir = tempDir('train');
      await train(options(straightDir, { engine: first }));

      const dir = tempDir('train');
      await train(options(dir, { engine: first, epochs: 1 }));
      expect((await latest(dir)).meta).toMatchObject({ engine: first, epoch: 1, step: 8 });
      const resumed = await train(options(dir, { engine: second, resume: true }));
      expect(resumed).toMatchObject({
        status: 'completed',
        engine: second,
        resumedFrom: path.join(dir, 'ckpt-1'),
        epoch: 2,
        step: 16,
      });

      const switched = await latest(dir);
      expect(switched.meta).toMatchObject({ engine: second, epoch: 2, step: 16 });
      expect(maxDifference(await latest(straightDir), switched)).toBeLessThanOrEqual(2e-6);
    },
  );

  it(
    'stops at an abort signal after the current step, ' + 'checkpoints that batch, and resumes to the same weights',
    async () => {
      const straightDir = tempDir('train');
      await train(options(straightDir));

      const dir = tempDir('train');
      const controller = new AbortController();
      const onEvent = (event: TrainingEvent) => {
        if (event.type === 'batch' && event.epoch === 1 && event.batch === 3) controller.abort();
      };
      const interrupted = await train(options(dir, { signal: controller.signal, onEvent }));
      expect(interrupted.status).toBe('interrupted');
      expect(interrupted.evaluation).toBeNull();
      const saved = await loadCheckpoint(interrupted.checkpoint!);
      expect(saved.meta).toMatchObject({ epoch: 0, batch: 3, step: 3, reason: 'interrupted' });
      expect(saved.position).toEqual({ epoch: 0, batch: 3 });

      const resumed = await train(options(dir, { resume: true }));
      expect(resumed.status).toBe('completed');
      const straight = await latest(straightDir);
      expect(maxDifference(straight, await latest(dir))).toBeLessThanOrEqual(1e-7);
      // The resumed first epoch reports whole-epoch metrics, carried over from the interrupted part.
      const straightFirstEpoch = (await loadCheckpoint(path.join(straightDir, 'ckpt-1'))).meta.metrics!;
      expect(resumed.history[0]!.loss).toBeCloseTo(straightFirstEpoch.loss, 6);
      expect(resumed.history[0]!.accuracy).toBeCloseTo(straightFirstEpoch.accuracy, 6);
    },
  );

  it('interrupted right after an epoch checkpoint, writes nothing more and points at that checkpoint', async () => {
    const dir = tempDir('train');
    const controller = new AbortController();
    const onEvent = (event: TrainingEvent) => {
      if (event.type === 'epoch') controller.abort();
    };
    const result = await train(options(dir, { trainSamples: 64, signal: controller.signal, onEvent }));
    expect(result).toMatchObject({ status: 'interrupted', checkpoint: path.join(dir, 'ckpt-1'), epoch: 1 });
    expect(listCheckpoints(dir).map((c) => path.basename(c.prefix))).toEqual(['ckpt-1']);
  });

  it('interrupted before the first step of a fresh run, writes no untrained checkpoint', async () => {
    const dir = tempDir('train');
    const controller = new AbortController();
    const onEvent = (event: TrainingEvent) => {
      if (event.type === 'start') controller.abort();
    };
    const result = await train(options(dir, { trainSamples: 64, signal: controller.signal, onEvent }));
    expect(result).toMatchObject({ status: 'interrupted', checkpoint: null, epoch: 0, step: 0, history: [] });
    expect(listCheckpoints(dir)).toEqual([]);
  });

  it('keeps only the newest --keep checkpoints', async () => {
    const dir = tempDir('train');
    await train(
      options(dir, {
        epochs: 3,
        trainSamples: 64,
        checkpoint: { kind: 'directory', dir, keep: 2, saveBestOnly: false },
      }),
    );
    expect(listCheckpoints(dir).map((c) => path.basename(c.prefix))).toEqual(['ckpt-2', 'ckpt-3']);
  });

  it(
    'with a learning rate too small to change anything, ' +
      'saves only the first epoch under save-best-only and stops early',
    async () => {
      const dir = tempDir('train');
      const result = await train(
        options(dir, {
          epochs: 5,
          trainSamples: 64,
          learningRate: 1e-12,
          earlyStoppingPatience: 2,
          checkpoint: { kind: 'directory', dir, keep: 5, saveBestOnly: true },
        }),
      );
      expect(result.status).toBe('early-stopped');
      expect(result.history.map((r) => r.epoch)).toEqual([1, 2, 3]);
      expect(result.history.map((r) => r.checkpoint && path.basename(r.checkpoint))).toEqual(['ckpt-1', null, null]);
      expect(listCheckpoints(dir).map((c) => path.basename(c.prefix))).toEqual(['ckpt-1']);
    },
  );

  it("writes TensorBoard event files in Keras's train/ and validation/ layout", async () => {
    const dir = tempDir('train');
    const logs = path.join(dir, 'logs');
    await train(options(dir, { epochs: 1, trainSamples: 64, tensorboard: logs }));
    for (const sub of ['train', 'validation']) {
      const files = fs.readdirSync(path.join(logs, sub));
      expect(files.some((f) => f.startsWith('events.out.tfevents.'))).toBe(true);
      expect(fs.readFileSync(path.join(logs, sub, files[0]!)).includes(Buffer.from('epoch_accuracy'))).toBe(true);
    }
  });

  it('writes the notebook-style weights-only checkpoint at --checkpoint-path, which cannot be resumed', async () => {
    const dir = tempDir('train');
    const prefix = path.join(dir, 'training', 'cp.ckpt');
    const result = await train(options(dir, { epochs: 1, trainSamples: 64, checkpoint: { kind: 'weights', prefix } }));
    expect(result.checkpoint).toBe(prefix);
    expect((await loadCheckpoint(prefix)).meta.weightsOnly).toBe(true);
    await expect(train(options(dir, { resume: true, checkpoint: { kind: 'weights', prefix } }))).rejects.toBeInstanceOf(
      UserInputError,
    );
  });
});
