import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { latestCheckpoint, listCheckpoints, loadCheckpoint, saveCheckpoint } from '../../src/checkpoint/index.ts';
import { UserInputError } from '../../src/errors.ts';
import { bundleFiles, writeTensorBundle } from '../../src/formats/tensor-bundle/index.ts';
import { stateToTensors } from '../../src/checkpoint/state-tensors.ts';
import { projectRoot } from '../helpers/cli.ts';
import { sampleMeta, sampleState, spec, tempDir } from './fixtures.ts';

const child = path.join(projectRoot, 'test', 'checkpoint', 'save-until-killed.ts');

/** Starts the saving child, lets it finish `saves` checkpoints, then SIGKILLs it `delayMs` later. */
function killDuringSaves(dir: string, saves: number, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dir], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let seen = 0;
    let stderr = '';
    proc.stderr.on('data', (chunk) => (stderr += chunk));
    proc.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString().split('\n').filter(Boolean).length;
      if (seen >= saves && proc.exitCode === null && !proc.killed) setTimeout(() => proc.kill('SIGKILL'), delayMs);
    });
    proc.on('error', reject);
    proc.on('close', (_code, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`child ended by itself: ${stderr}`)),
    );
  });
}

describe('an interrupted checkpoint write', () => {
  it('leaves a bundle without a sidecar that does not load, and the previous checkpoint stays the latest', async () => {
    const dir = tempDir();
    const first = saveCheckpoint(dir, sampleState(1), sampleMeta(1), 5).prefix;
    // A save killed after the bundle, before the sidecar and state file.
    const unfinished = path.join(dir, 'ckpt-2');
    writeTensorBundle(unfinished, stateToTensors(spec, sampleState(2), { epoch: 2, batch: 0 }));
    await expect(loadCheckpoint(unfinished)).rejects.toThrow(/ckpt-2\.json: missing/);
    expect(latestCheckpoint(dir)).toBe(first);
    const listed = listCheckpoints(dir);
    // In save order, as every listing: the unfinished ckpt-2 after ckpt-1, marked as a problem.
    expect(listed.map((c) => [path.basename(c.prefix), c.latest, c.problem === null])).toEqual([
      ['ckpt-1', true, true],
      ['ckpt-2', false, false],
    ]);
    // The number is never reused, so the unfinished files cannot be completed by a later save.
    expect(saveCheckpoint(dir, sampleState(3), sampleMeta(3), 5).prefix).toBe(path.join(dir, 'ckpt-3'));
  });

  it('ignores staged temporary files left by a killed writer', async () => {
    const dir = tempDir();
    const first = saveCheckpoint(dir, sampleState(1), sampleMeta(1), 5).prefix;
    fs.writeFileSync(path.join(dir, '.ckpt-2.index.tmp-999-1'), 'partial');
    fs.writeFileSync(path.join(dir, '.ckpt-2.data-00000-of-00001.tmp-999-2'), 'partial');
    fs.writeFileSync(path.join(dir, '.checkpoint.tmp-999-3'), 'model_checkpoint_path: "ckpt-2"');
    expect(latestCheckpoint(dir)).toBe(first);
    expect(listCheckpoints(dir).map((c) => path.basename(c.prefix))).toEqual(['ckpt-1']);
    await expect(loadCheckpoint(first)).resolves.toMatchObject({ prefix: first });
  });

  it('never yields a loadable but wrong checkpoint when the writer is killed at random moments', async () => {
    const dir = tempDir();
    for (const delayMs of [0, 3, 7, 15]) {
      await killDuringSaves(dir, 2, delayMs);
      const latest = latestCheckpoint(dir);
      expect(latest).not.toBeNull();
      const loaded = await loadCheckpoint(latest!);
      // The fixture's state is a function of the epoch, so a checkpoint that loads must hold exactly it.
      expect(loaded.state.variables.get('dense/kernel')).toEqual(
        sampleState(loaded.meta.epoch).variables.get('dense/kernel'),
      );
      for (const info of listCheckpoints(dir)) {
        const attempt = loadCheckpoint(info.prefix).then(
          (c) =>
            expect(c.state.adam.m.get('conv2d/kernel')).toEqual(sampleState(c.meta.epoch).adam.m.get('conv2d/kernel')),
          (error) => expect(error).toBeInstanceOf(UserInputError),
        );
        await attempt;
      }
      expect(fs.existsSync(bundleFiles(latest!).data)).toBe(true);
    }
  }, 120_000);
});
