/**
 * Every source line fits the formatter's width (`lineWidth` in biome.jsonc). The formatter wraps
 * code but cannot break a long string, template, regex or comment: this keeps those within it too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from './helpers/cli.ts';

const LINE_WIDTH = Number(
  /"lineWidth":\s*(\d+)/.exec(fs.readFileSync(path.join(projectRoot, 'biome.jsonc'), 'utf8'))![1],
);
/** Written by `npm run proto:gen` and checked against it by a test: never edited by hand. */
const GENERATED = path.join('src', 'formats', 'proto', 'generated');
const SOURCE_FILE = /\.[cm]?[jt]s$/;

/** The project's TypeScript and JavaScript, relative to its root: config files at the top, the source folders, bin/. */
function sources(): string[] {
  const walk = (dir: string): string[] =>
    fs.readdirSync(path.join(projectRoot, dir), { withFileTypes: true }).flatMap((entry) => {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'node_modules' || file === GENERATED ? [] : walk(file);
      // bin/ holds the CLI's launcher, JavaScript without an extension.
      return SOURCE_FILE.test(entry.name) || dir === 'bin' ? [file] : [];
    });
  const topLevel = fs
    .readdirSync(projectRoot, { withFileTypes: true })
    .filter((entry) => entry.isFile() && SOURCE_FILE.test(entry.name))
    .map((entry) => entry.name);
  return [...topLevel, ...['src', 'test', 'bench', 'scripts', 'bin'].flatMap(walk)];
}

const files = sources();

describe('source lines', () => {
  it(`are at most ${LINE_WIDTH} characters, as the formatter writes them (generated code aside)`, () => {
    const tooLong = files.flatMap((file) =>
      fs
        .readFileSync(path.join(projectRoot, file), 'utf8')
        .split(/\r?\n/)
        .flatMap((line, index) => {
          const length = [...line].length;
          return length > LINE_WIDTH ? [`${file}:${index + 1} (${length} characters)`] : [];
        }),
    );
    expect(tooLong).toEqual([]);
  });

  it('are read from the config files, src/, test/, bench/, scripts/ and bin/, not from generated code', () => {
    expect(LINE_WIDTH).toBeGreaterThan(0);
    expect(files).toEqual(
      expect.arrayContaining([
        'vitest.config.ts',
        '.dependency-cruiser.cjs',
        path.join('src', 'cli', 'main.ts'),
        path.join('test', 'source-line-length.test.ts'),
        path.join('test', 'helpers', 'report-peak-rss.cjs'),
        path.join('bench', 'cli.ts'),
        path.join('scripts', 'install-engine.mjs'),
        path.join('bin', 'mnist-serve'),
      ]),
    );
    expect(files.filter((file) => file.startsWith(GENERATED))).toEqual([]);
  });
});
