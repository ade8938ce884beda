import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { exitCodeFor, reportError } from '../../src/cli/run-action.ts';

afterEach(() => vi.restoreAllMocks());

function stderrOf(error: unknown): string {
  let written = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    written += String(chunk);
    return true;
  });
  const saved = process.env.DEBUG;
  delete process.env.DEBUG;
  try {
    reportError(new Command('mnist-serve'), error);
  } finally {
    if (saved !== undefined) process.env.DEBUG = saved;
  }
  return written;
}

describe('reportError', () => {
  it('reports a file-system errno error as one line naming its path, exit 1, not as a bug', () => {
    const error = Object.assign(new Error("EACCES: permission denied, open '/srv/out.dot'"), { code: 'EACCES' });
    expect(stderrOf(error)).toBe("mnist-serve: error: EACCES: permission denied, open '/srv/out.dot'\n");
    expect(exitCodeFor(error)).toBe(1);
  });

  it('still reports an untyped error as an internal error', () => {
    expect(stderrOf(new TypeError('x is undefined'))).toContain('mnist-serve: internal error: x is undefined\n(this is a bug');
  });
});
