/**
 * docs/cli.md is generated from the command definitions, so it is the one list of flags that cannot
 * drift. A hand-written page that repeats a flag table drifts from it with the next flag; pages link
 * to the reference's anchors instead and keep only what the reference does not say.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/cli.ts';
import { documentationFiles } from '../helpers/markdown-links.ts';

/** Tables (outside fenced code) whose rows mostly start with a flag: `| \`--name …\` | …`. */
function flagTables(markdown: string): string[] {
  const found: string[] = [];
  let inFence = false;
  let table: string[] = [];
  const close = (): void => {
    const rows = table.slice(2);
    const flagRows = rows.filter((row) => /^\|\s*`-{1,2}[a-zA-Z]/.test(row));
    if (rows.length >= 3 && flagRows.length * 2 > rows.length) found.push(table[0]!);
    table = [];
  };
  for (const line of markdown.split('\n')) {
    if (/^ *(```|~~~)/.test(line)) inFence = !inFence;
    if (!inFence && line.startsWith('|')) table.push(line);
    else if (table.length > 0) close();
  }
  if (table.length > 0) close();
  return found;
}

describe('hand-written pages', () => {
  it('link to docs/cli.md instead of repeating flag tables', () => {
    const pages = documentationFiles(projectRoot).filter((file) => file !== path.join(projectRoot, 'docs', 'cli.md'));
    const repeated = pages.flatMap((file) =>
      flagTables(fs.readFileSync(file, 'utf8')).map((header) => `${path.relative(projectRoot, file)}: ${header}`),
    );
    expect(repeated).toEqual([]);
  });

  it('the check finds a flag table and leaves other tables, and code, alone', () => {
    const page = [
      '| flag | default |',
      '|---|---|',
      '| `--port N` | 8501 |',
      '| `--host H` | 127.0.0.1 |',
      '| `-q` | off |',
      '',
      '| message | fix |',
      '|---|---|',
      '| `--resume: no checkpoint` | none |',
      '| `EADDRINUSE` | stop it |',
      '| `ENOENT` | create it |',
      '',
      '```',
      '| `--a` | x |',
      '|---|---|',
      '| `--b` | y |',
      '| `--c` | z |',
      '| `--d` | w |',
      '```',
    ].join('\n');
    expect(flagTables(page)).toEqual(['| flag | default |']);
  });
});
