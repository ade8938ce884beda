/**
 * The manual names source files as evidence (`src/data/pinned-files.ts`, a test that checks a
 * claim): a file moved by a refactor must not leave the docs pointing at nothing.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/cli.ts';
import { documentationFiles } from '../helpers/markdown-links.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** Paths in inline code that start at one of the repository's top folders; a glob names its folder. */
function repositoryPaths(markdown: string): string[] {
  return [...markdown.matchAll(/`((?:src|test|bench|scripts)\/[^`\s]*)`/g)].map((match) =>
    match[1]!.replace(/\*.*$/, ''),
  );
}

/** Paths that name nothing, leaving out git-ignored ones (reports the benchmarks write). */
function missingPaths(root: string, file: string): string[] {
  return repositoryPaths(fs.readFileSync(file, 'utf8'))
    .filter((name) => !fs.existsSync(path.join(root, name)) && !isIgnored(root, name))
    .map((name) => `${path.relative(root, file)}: ${name}`);
}

function isIgnored(root: string, name: string): boolean {
  try {
    execFileSync('git', ['check-ignore', '-q', name], { cwd: root, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('paths named in the documentation', () => {
  it(
    'every src/, test/, bench/ and scripts/ path in README.md, ' + 'CONTRIBUTING.md, bench/README.md and docs/ exists',
    () => {
      expect(documentationFiles(projectRoot).flatMap((file) => missingPaths(projectRoot, file))).toEqual([]);
    },
  );

  describe('the check', () => {
    const dir = tempDir('doc-paths');

    it('reports a missing file, and accepts existing files, folders and globs', () => {
      fs.mkdirSync(path.join(dir, 'src', 'data'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'src', 'data', 'idx.ts'), '');
      const page = path.join(dir, 'page.md');
      fs.writeFileSync(
        page,
        'Read `src/data/idx.ts`, `src/data/`, `src/data/*.ts` and `src/serving/gone.ts`; not `docs/x.md`.\n',
      );
      expect(missingPaths(dir, page)).toEqual(['page.md: src/serving/gone.ts']);
    });
  });
});
