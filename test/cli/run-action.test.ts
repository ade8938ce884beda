import { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadFullProgram } from '../../src/cli/reference.ts';
import { exitCodeFor, FLAG_FOR_FIELD, reportError } from '../../src/cli/run-action.ts';
import { field, fieldMessage, OperationalError, UserInputError } from '../../src/errors.ts';
import { projectRoot } from '../helpers/cli.ts';

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
    expect(stderrOf(new TypeError('x is undefined'))).toContain(
      'mnist-serve: internal error: x is undefined\n(this is a bug',
    );
  });
});

describe('core fields named as flags', () => {
  it('prints the flag and its value where the core names the field, and keeps the field name in the message', () => {
    const error = new UserInputError(fieldMessage`${field('keep', 0)}: expected a positive integer`);
    expect(error.message).toBe('keep=0: expected a positive integer');
    expect(stderrOf(error)).toBe('mnist-serve: error: --keep 0: expected a positive integer\n');
    expect(exitCodeFor(error)).toBe(2);
  });

  it('spells boolean fields as the switch a user would type', () => {
    const error = new OperationalError(
      fieldMessage`pass ${field('force', true)}, or ${field('verify', false)} ${field('warmupRequests', 0)}`,
    );
    expect(stderrOf(error)).toBe('mnist-serve: error: pass --force, or --no-verify --warmup-requests 0\n');
    expect(exitCodeFor(error)).toBe(1);
  });

  it('has a flag for every field the core names in a message', () => {
    const named = new Set<string>();
    for (const file of fs.readdirSync(path.join(projectRoot, 'src'), { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts') || file.startsWith(`cli${path.sep}`)) continue;
      const text = fs.readFileSync(path.join(projectRoot, 'src', file), 'utf8');
      for (const match of text.matchAll(/\bfield\('(\w+)'/g)) named.add(match[1]!);
    }
    expect(named.size).toBeGreaterThan(15);
    expect([...named].filter((name) => !(name in FLAG_FOR_FIELD))).toEqual([]);
  });

  it('maps each field to an option some command really has', async () => {
    const { root, commands } = await loadFullProgram();
    const longNames = new Set<string>();
    const walk = (command: Command): void => {
      for (const option of command.options) if (option.long) longNames.add(option.long);
      command.commands.forEach(walk);
    };
    walk(root);
    commands.forEach(walk);
    const missing = Object.values(FLAG_FOR_FIELD).filter(
      (flag) => !longNames.has(flag) && !longNames.has(flag.replace(/^--/, '--no-')),
    );
    expect(missing).toEqual([]);
  });
});
