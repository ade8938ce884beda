/** Rules every test source keeps: seeded randomness (a failure reproduces), one way to make temp dirs (all removed). */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from './helpers/cli.ts';

function testSources(dir = path.join(projectRoot, 'test')): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return testSources(full);
    return entry.name.endsWith('.ts') && full !== path.join(projectRoot, 'test', 'test-sources.test.ts') ? [full] : [];
  });
}

const sources = testSources().map((file) => ({
  file: path.relative(projectRoot, file),
  text: fs.readFileSync(file, 'utf8'),
}));

describe('random numbers in tests', () => {
  it('come from seededRandom (src/util/random.ts), never Math.random', () => {
    expect(sources.filter(({ text }) => text.includes('Math.random(')).map(({ file }) => file)).toEqual([]);
  });

  it('come from a fixed seed in every fast-check property', () => {
    const unseeded = sources.flatMap(({ file, text }) => {
      const asserts = text.match(/fc\.assert\(/g)?.length ?? 0;
      const seeds = text.match(/\bseed: [A-Z_]+\b/g)?.length ?? 0;
      return asserts > seeds ? [`${file}: ${asserts} fc.assert, ${seeds} seeded`] : [];
    });
    expect(unseeded).toEqual([]);
  });
});

describe('temporary directories in tests', () => {
  it('come from tempDir (test/helpers/temp-dir.ts), which removes them after each file', () => {
    const helper = path.join('test', 'helpers', 'temp-dir.ts');
    expect(
      sources.filter(({ file, text }) => file !== helper && /mkdtemp(Sync)?\(/.test(text)).map(({ file }) => file),
    ).toEqual([]);
  });
});
