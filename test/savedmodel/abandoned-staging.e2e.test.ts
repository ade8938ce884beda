import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveCheckpoint } from '../../src/checkpoint/manager.ts';
import { SIDECAR_FORMAT, type CheckpointMeta } from '../../src/checkpoint/meta.ts';
import { defaultModelSpec } from '../../src/model/spec.ts';
import { projectRoot, runCli, userStderr } from '../helpers/cli.ts';
import { fixtureWeights, tempDir } from './fixtures.ts';

const child = path.join(projectRoot, 'test', 'savedmodel', 'export-in-child.ts');

interface StagedExport {
  proc: ChildProcess;
  staging: string;
  closed: Promise<NodeJS.Signals | null>;
}

/** Starts a real export into `base` in a child process; resolves once its staging directory is written. */
function startExport(base: string, mode: 'hold' | 'run'): Promise<StagedExport> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, base, mode], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const closed = new Promise<NodeJS.Signals | null>((resolve) => proc.on('close', (_code, signal) => resolve(signal)));
  let stdout = '';
  let stderr = '';
  proc.stderr!.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    proc.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const staged = /^wrote SavedModel to (.+)$/m.exec(stdout);
      if (staged) resolve({ proc, staging: staged[1]!, closed });
    });
    closed.then(() => reject(new Error(`the export ended before staging: ${stderr}`)));
  });
}

function checkpointFixture(): string {
  const spec = defaultModelSpec();
  const meta: CheckpointMeta = {
    format: SIDECAR_FORMAT,
    formatVersion: 1,
    epoch: 1,
    batch: 0,
    step: 1,
    metrics: null,
    partialEpoch: null,
    best: null,
    reason: 'epoch',
    timestamp: new Date(0).toISOString(),
    engine: 'eager',
    weightsOnly: true,
    data: { name: 'mnist', source: 'test', trainSamples: 1, testSamples: 1 },
    run: { epochs: 1, batchSize: 1, seed: 1 },
    spec,
  };
  return saveCheckpoint(
    tempDir('ckpt'),
    { variables: fixtureWeights(spec), adam: { step: 1, m: new Map(), v: new Map() } },
    meta,
    1,
  ).prefix;
}

describe('staging directories of killed exports', () => {
  it('the next export removes those of a SIGKILLed export, keeps a live one, and says so in one log line', async () => {
    const base = tempDir('abandoned');
    const live = await startExport(base, 'hold');
    try {
      // Killed right after staging, while it loads TensorFlow to verify (an export started
      // after the kill would already remove its staging directory).
      const killed = await startExport(base, 'run');
      killed.proc.kill('SIGKILL');
      expect(await killed.closed).toBe('SIGKILL');
      expect(path.basename(killed.staging)).toMatch(/^\.7\.tmp-\d+-\d+$/);
      expect(fs.existsSync(path.join(killed.staging, 'saved_model.pb'))).toBe(true);

      const result = await runCli([
        'export',
        '--checkpoint',
        checkpointFixture(),
        '--model-base-path',
        base,
        '--version',
        '1',
        '--no-verify',
        '--warmup-requests',
        '0',
      ]);
      expect(result.code, result.stderr).toBe(0);
      const logged = userStderr(result.stderr).filter((line) => line.includes('staging'));
      expect(logged).toEqual([`removed 1 staging directory left by killed exports: ${killed.staging}`]);
      expect(fs.existsSync(killed.staging)).toBe(false);
      expect(fs.existsSync(path.join(live.staging, 'saved_model.pb'))).toBe(true);
      expect(fs.readdirSync(base).sort()).toEqual([path.basename(live.staging), '1'].sort());

      // Nothing left to remove: no log line, an empty list in --json.
      const again = await runCli([
        '--json',
        'export',
        '--checkpoint',
        checkpointFixture(),
        '--model-base-path',
        base,
        '--no-verify',
        '--warmup-requests',
        '0',
      ]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).not.toContain('staging director');
      expect(JSON.parse(again.stdout).abandonedStaging).toEqual({ removed: [], failed: [] });
    } finally {
      live.proc.kill('SIGKILL');
      await live.closed;
    }
  }, 120_000);
});
