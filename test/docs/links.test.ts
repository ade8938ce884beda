import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/cli.ts';
import { brokenLinks, documentationFiles, headingAnchors } from '../helpers/markdown-links.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('documentation links', () => {
  it('every relative link and anchor in README.md, CONTRIBUTING.md, bench/README.md and docs/ resolves', () => {
    const files = documentationFiles(projectRoot);
    expect(files.length).toBeGreaterThan(10);
    expect(files.flatMap(brokenLinks)).toEqual([]);
  });

  describe('the checker', () => {
    const dir = tempDir('links');

    it('reports a missing file and a missing anchor, and ignores links in code', () => {
      fs.writeFileSync(path.join(dir, 'other.md'), '# The `serve` flags\n\n## Errors\n\n## Errors\n');
      const page = path.join(dir, 'page.md');
      fs.writeFileSync(
        page,
        [
          '# Page',
          '',
          '[ok](other.md#the-serve-flags) [ok](other.md#errors-1) [ok](#page) [web](https://example.com/x.md)',
          '[gone](missing.md) [bad anchor](other.md#nope) [bad local](#nowhere)',
          '`[code](missing-too.md)`',
          '```',
          '[fenced](missing-three.md)',
          '```',
        ].join('\n'),
      );
      expect(brokenLinks(page)).toEqual([
        `${page}: missing.md (no such file)`,
        `${page}: other.md#nope (no heading #nope in other.md)`,
        `${page}: #nowhere (no heading #nowhere in page.md)`,
      ]);
    });

    it('names anchors as GitHub does', () => {
      const anchors = headingAnchors(
        "# `mnist-serve predict` — a client for either server\n## REST API (TF Serving's)\n## `train --json`\n",
      );
      expect([...anchors]).toEqual([
        'mnist-serve-predict--a-client-for-either-server',
        'rest-api-tf-servings',
        'train---json',
      ]);
    });
  });
});
