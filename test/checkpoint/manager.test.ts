import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  latestCheckpoint,
  listCheckpoints,
  loadCheckpoint,
  promoteCheckpoint,
  pruneCheckpoints,
  saveCheckpoint,
  saveWeightsAt,
} from '../../src/checkpoint/index.ts';
import { readCheckpointState } from '../../src/formats/checkpoint-state.ts';
import { listTensorBundle } from '../../src/formats/tensor-bundle/index.ts';
import { sampleMeta, sampleState, tempDir } from './fixtures.ts';

describe('the checkpoint manager', () => {
  it('saves ckpt-1, ckpt-2 … with a sidecar and names the newest in the `checkpoint` state file', () => {
    const dir = tempDir();
    expect(latestCheckpoint(dir)).toBeNull();
    const first = saveCheckpoint(dir, sampleState(1), sampleMeta(1), 5);
    const second = saveCheckpoint(dir, sampleState(2), sampleMeta(2), 5);
    expect(first.prefix).toBe(path.join(dir, 'ckpt-1'));
    expect(second.prefix).toBe(path.join(dir, 'ckpt-2'));
    expect(fs.readdirSync(dir).sort()).toEqual([
      'checkpoint',
      'ckpt-1.data-00000-of-00001',
      'ckpt-1.index',
      'ckpt-1.json',
      'ckpt-2.data-00000-of-00001',
      'ckpt-2.index',
      'ckpt-2.json',
    ]);
    expect(readCheckpointState(dir)).toEqual({
      modelCheckpointPath: 'ckpt-2',
      allModelCheckpointPaths: ['ckpt-1', 'ckpt-2'],
    });
    expect(latestCheckpoint(dir)).toBe(second.prefix);
  });

  it('lists checkpoints in save order, also when a second run in the same directory starts its steps again', () => {
    const dir = tempDir();
    saveCheckpoint(dir, sampleState(1), sampleMeta(2), 5);
    saveCheckpoint(dir, sampleState(2), sampleMeta(4), 5);
    // A new run without --resume: ckpt-3, but fewer steps than the first run's checkpoints.
    saveCheckpoint(dir, sampleState(3), sampleMeta(1), 5);
    const listed = listCheckpoints(dir);
    expect(listed.map((c) => [path.basename(c.prefix), c.meta!.step])).toEqual([
      ['ckpt-1', 20],
      ['ckpt-2', 40],
      ['ckpt-3', 10],
    ]);
    expect(listed.map((c) => c.latest)).toEqual([false, false, true]);
  });

  it('stores variables under Keras names, Adam slots under optimizer/…/m|v, and int64 counters', () => {
    const dir = tempDir();
    const { prefix } = saveCheckpoint(dir, sampleState(1, 250), { ...sampleMeta(1), batch: 0 }, 5);
    const entries = new Map(listTensorBundle(prefix).map((e) => [e.name, e]));
    expect(entries.get('conv2d/kernel')).toMatchObject({ dtype: 'float32', shape: [3, 3, 1, 16] });
    expect(entries.get('dense_1/bias')).toMatchObject({ dtype: 'float32', shape: [10] });
    expect(entries.get('optimizer/conv2d/kernel/m')).toMatchObject({ dtype: 'float32', shape: [3, 3, 1, 16] });
    expect(entries.get('optimizer/dense/kernel/v')).toMatchObject({ dtype: 'float32', shape: [576, 32] });
    for (const counter of ['optimizer/iter', 'training/epoch', 'training/batch']) {
      expect(entries.get(counter)).toMatchObject({ dtype: 'int64', shape: [] });
    }
    expect(entries.size).toBe(10 * 3 + 3);
  });

  it('loads back exactly the state, epoch, step and spec it saved', async () => {
    const dir = tempDir();
    const state = sampleState(3, 77);
    const { prefix } = saveCheckpoint(dir, state, { ...sampleMeta(2), batch: 5 }, 5);
    const loaded = await loadCheckpoint(prefix);
    expect(loaded.state.adam.step).toBe(77);
    expect(loaded.position).toEqual({ epoch: 2, batch: 5 });
    expect(loaded.meta.epoch).toBe(2);
    expect(loaded.spec).toEqual(sampleMeta(1).spec);
    for (const [name, values] of state.variables) expect(loaded.state.variables.get(name)).toEqual(values);
    for (const [name, values] of state.adam.v) expect(loaded.state.adam.v.get(name)).toEqual(values);
  });

  it('keeps only the newest N, deleting the files of older ones', () => {
    const dir = tempDir();
    for (let epoch = 1; epoch <= 4; epoch += 1) saveCheckpoint(dir, sampleState(epoch), sampleMeta(epoch), 2);
    expect(readCheckpointState(dir)?.allModelCheckpointPaths).toEqual(['ckpt-3', 'ckpt-4']);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('ckpt-1') || f.startsWith('ckpt-2'))).toEqual([]);
  });

  it('lists checkpoints oldest first with metrics and size, marking the latest and the best by the monitor', () => {
    const dir = tempDir();
    saveCheckpoint(dir, sampleState(1), sampleMeta(1, { val_accuracy: 0.9, val_loss: 0.5 }), 5);
    saveCheckpoint(dir, sampleState(2), sampleMeta(2, { val_accuracy: 0.95, val_loss: 0.3 }), 5);
    saveCheckpoint(dir, sampleState(3), sampleMeta(3, { val_accuracy: 0.93, val_loss: 0.2 }), 5);
    const byAccuracy = listCheckpoints(dir, 'val_accuracy');
    expect(byAccuracy.map((c) => path.basename(c.prefix))).toEqual(['ckpt-1', 'ckpt-2', 'ckpt-3']);
    expect(byAccuracy.map((c) => [c.latest, c.best])).toEqual([
      [false, false],
      [false, true],
      [true, false],
    ]);
    expect(byAccuracy[0]!.sizeBytes).toBeGreaterThan(3 * 42090 * 4);
    expect(listCheckpoints(dir, 'val_loss').map((c) => c.best)).toEqual([false, false, true]);
  });

  it('promotes a verified checkpoint to latest, moving it to the end of the kept list', async () => {
    const dir = tempDir();
    for (let epoch = 1; epoch <= 3; epoch += 1) saveCheckpoint(dir, sampleState(epoch), sampleMeta(epoch), 5);
    await promoteCheckpoint(path.join(dir, 'ckpt-1'));
    expect(readCheckpointState(dir)).toEqual({
      modelCheckpointPath: 'ckpt-1',
      allModelCheckpointPaths: ['ckpt-2', 'ckpt-3', 'ckpt-1'],
    });
    // The next save still takes a fresh number.
    expect(saveCheckpoint(dir, sampleState(4), sampleMeta(4), 5).prefix).toBe(path.join(dir, 'ckpt-4'));
  });

  it('prunes to N but never removes the latest', async () => {
    const dir = tempDir();
    for (let epoch = 1; epoch <= 4; epoch += 1) saveCheckpoint(dir, sampleState(epoch), sampleMeta(epoch), 5);
    await promoteCheckpoint(path.join(dir, 'ckpt-2'));
    const { kept, removed } = pruneCheckpoints(dir, 2);
    expect(kept.map((p) => path.basename(p))).toEqual(['ckpt-4', 'ckpt-2']);
    expect(removed.map((p) => path.basename(p))).toEqual(['ckpt-1', 'ckpt-3']);
    expect(latestCheckpoint(dir)).toBe(path.join(dir, 'ckpt-2'));
    expect(fs.existsSync(path.join(dir, 'ckpt-3.index'))).toBe(false);
  });

  it(
    'writes a weights-only checkpoint at a fixed prefix ' + '(the notebook mode) that loads with zero Adam state',
    async () => {
      const dir = tempDir();
      const prefix = path.join(dir, 'training', 'cp.ckpt');
      saveWeightsAt(prefix, sampleState(1), sampleMeta(1));
      saveWeightsAt(prefix, sampleState(2), sampleMeta(2));
      expect(listTensorBundle(prefix).map((e) => e.name)).not.toContain('optimizer/iter');
      expect(readCheckpointState(path.dirname(prefix))).toEqual({
        modelCheckpointPath: 'cp.ckpt',
        allModelCheckpointPaths: ['cp.ckpt'],
      });
      const loaded = await loadCheckpoint(prefix);
      expect(loaded.meta.weightsOnly).toBe(true);
      expect(loaded.meta.epoch).toBe(2);
      expect(loaded.state.adam.step).toBe(0);
      expect(loaded.state.variables.get('dense/kernel')).toEqual(sampleState(2).variables.get('dense/kernel'));
    },
  );
});
