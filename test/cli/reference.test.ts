import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFullProgram, renderCliReference } from '../../src/cli/reference.ts';
import { projectRoot } from '../helpers/cli.ts';

describe('docs/cli.md', () => {
  it('is what `npm run docs:cli` generates from the command definitions (run it after changing a flag)', async () => {
    const committed = fs.readFileSync(path.join(projectRoot, 'docs', 'cli.md'), 'utf8');
    expect(committed).toBe(await renderCliReference());
  });

  it('names every command, subcommand and option the program defines', async () => {
    const reference = await renderCliReference();
    const { root, commands } = await loadFullProgram();
    const walk = (command: (typeof commands)[number], prefix: string): string[] => {
      const name = `${prefix} ${command.name()}`;
      return [
        `\`${name}\``,
        ...command.options.filter((option) => !option.hidden).map((option) => `\`${option.flags}\``),
        ...command.commands.flatMap((sub) => walk(sub, name)),
      ];
    };
    const expected = [
      ...root.options.map((option) => `\`${option.flags}\``),
      ...commands.flatMap((command) => walk(command, 'mnist-serve')),
    ];
    expect(expected.length).toBeGreaterThan(80);
    expect(expected.filter((text) => !reference.includes(text))).toEqual([]);
  });
});
