/**
 * The README's quickstart is pasted by users as it is: every command in its fenced `sh` blocks must
 * be a real mnist-serve command with real flags and valid values, as the CLI's own parser sees them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.ts';
import { projectRoot } from '../helpers/cli.ts';

/** The commands of the sh blocks under `## Quickstart`, one argv (after `mnist-serve`) each. */
function quickstartCommands(readme: string): string[][] {
  const section = readme.split(/^## /m).find((part) => part.startsWith('Quickstart\n'));
  if (!section) throw new Error('README.md has no "## Quickstart" section');
  const blocks = [...section.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((match) => match[1]!);
  return blocks
    .flatMap((block) => block.split('\n'))
    .map((line) => line.replace(/\s#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .flatMap((line) => line.split('&&').map((part) => part.trim()))
    .map((command) => {
      if (/["'`|;<>$&\\]/.test(command)) throw new Error(`quickstart line is not a plain command: ${command}`);
      const words = command.split(/\s+/);
      if (words[0] === 'npx') words.shift();
      if (words[0] !== 'mnist-serve') throw new Error(`quickstart line does not run mnist-serve: ${command}`);
      return words.slice(1);
    });
}

/** Parses `args` exactly as `mnist-serve` would, without running any command. */
async function parseOnly(args: string[]): Promise<string> {
  const argv = ['node', 'mnist-serve', ...args];
  const program = await buildProgram(argv);
  const errors: string[] = [];
  const quiet = (command: Command): void => {
    command.action(() => {}).configureOutput({ writeErr: (text) => errors.push(text.trim()), writeOut: () => {} });
    command.commands.forEach(quiet);
  };
  program.commands.forEach(quiet);
  program.configureOutput({ writeErr: (text) => errors.push(text.trim()), writeOut: () => {} });
  try {
    await program.parseAsync(argv);
    return '';
  } catch (error) {
    if (error instanceof CommanderError) return errors.join(' ') || error.message;
    throw error;
  }
}

describe("the README's quickstart", () => {
  const commands = quickstartCommands(fs.readFileSync(path.join(projectRoot, 'README.md'), 'utf8'));

  it('shows about six commands, covering the notebook flow', () => {
    expect(commands.map((args) => args[0])).toEqual([
      'train',
      'inspect-graph',
      'export',
      'serve',
      'predict',
      'serving-config',
    ]);
  });

  it.each(commands.map((args) => [args.join(' '), args]))('mnist-serve %s parses', async (_, args) => {
    expect(await parseOnly(args as string[])).toBe('');
  });

  it('would catch an unknown flag, a bad value or an unknown command', async () => {
    expect(await parseOnly(['train', '--frob'])).toMatch(/unknown option '--frob'/);
    expect(await parseOnly(['train', '--engine', 'turbo'])).toMatch(/--engine/);
    expect(await parseOnly(['trian'])).toMatch(/unknown command 'trian'/);
  });
});
