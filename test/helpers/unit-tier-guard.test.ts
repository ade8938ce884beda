import { execFileSync, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('the unit tier guard (test/helpers/unit-tier-guard.ts)', () => {
  it('fails a unit test that loads TensorFlow', async () => {
    await expect(import('@tensorflow/tfjs-node')).rejects.toThrow(/a unit test loaded TensorFlow/);
  });

  it('fails a unit test that starts a child process', () => {
    expect(() => spawn(process.execPath, ['-e', ''])).toThrow(
      /a unit test started a child process \(child_process.spawn\)/,
    );
    expect(() => execFileSync(process.execPath, ['-e', ''])).toThrow(/child_process.execFileSync/);
  });
});
