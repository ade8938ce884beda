/**
 * docs/cli.md, rendered from the commander definitions themselves (every command, subcommand,
 * argument, option, default and choice), so the reference cannot drift from the code.
 * `npm run docs:cli` writes it; test/cli/reference.test.ts fails when the committed file differs.
 */
import type { Argument, Command, Option } from 'commander';
import { buildProgram } from './main.ts';

/** The root command as `mnist-serve --help` sees it, and every subcommand with its module loaded. */
export async function loadFullProgram(): Promise<{ root: Command; commands: readonly Command[] }> {
  const root = await buildProgram(['node', 'mnist-serve']);
  const names = root.commands.map((command) => command.name());
  const full = await buildProgram(['node', 'mnist-serve', ...names]);
  return { root, commands: full.commands };
}

export async function renderCliReference(): Promise<string> {
  const { root, commands } = await loadFullProgram();
  const lines = [
    '# CLI reference',
    '',
    '<!-- Generated from the command definitions by `npm run docs:cli`: do not edit by hand. -->',
    '',
    'Every command, subcommand, argument and option of `mnist-serve`, with its default and allowed',
    'values, generated from the code (a test fails when this page differs from it). What the commands',
    'do, with examples: [the manual](../README.md#manual); exit codes and `--json`:',
    '[Commands](commands.md).',
    '',
    '## Global options',
    '',
    'Valid before or after the subcommand (`-V, --version` only without one).',
    '',
    ...optionTable(root.options),
    '',
    '## Commands',
    '',
    ...commands.map((command) => {
      const name = `mnist-serve ${command.name()}`;
      return `- [\`${name}\`](#${slug(name)}) — ${escapeCell(command.description())}`;
    }),
  ];
  for (const command of commands) lines.push('', ...renderCommand(command, 'mnist-serve', '##'));
  return `${lines.join('\n')}\n`;
}

function renderCommand(command: Command, parentPath: string, heading: string): string[] {
  const path = `${parentPath} ${command.name()}`;
  const lines = [`${heading} \`${path}\``, '', command.description(), ''];
  if (command.commands.length > 0) {
    lines.push(
      'Subcommands:',
      '',
      ...command.commands.map((sub) => `- [\`${path} ${sub.name()}\`](#${slug(`${path} ${sub.name()}`)})`),
    );
  } else {
    lines.push('```', `${path} ${command.usage()}`, '```');
  }
  if (command.registeredArguments.length > 0) lines.push('', ...argumentTable(command.registeredArguments));
  const options = command.options.filter((option) => !option.hidden);
  if (options.length > 0) lines.push('', ...optionTable(options));
  for (const sub of command.commands) lines.push('', ...renderCommand(sub, path, `${heading}#`));
  return lines;
}

function argumentTable(args: readonly Argument[]): string[] {
  return [
    '| argument | required | meaning |',
    '|---|---|---|',
    ...args.map((arg) => {
      const name = `${arg.name()}${arg.variadic ? '...' : ''}`;
      const choices = arg.argChoices ? ` (one of ${arg.argChoices.map(code).join(', ')})` : '';
      return `| ${code(name)} | ${arg.required ? 'yes' : 'no'} | ${escapeCell(arg.description)}${choices} |`;
    }),
  ];
}

function optionTable(options: readonly Option[]): string[] {
  return [
    '| option | default | allowed values | meaning |',
    '|---|---|---|---|',
    ...options
      .filter((option) => !option.hidden)
      .map((option) => {
        const notes = [
          option.mandatory ? 'required' : '',
          conflictsOf(option).length > 0
            ? `not with ${conflictsOf(option)
                .map((name) => code(flagOf(name, options)))
                .join(', ')}`
            : '',
          option.envVar ? `env ${code(option.envVar)}` : '',
        ].filter(Boolean);
        const meaning = [escapeCell(option.description), ...notes].filter(Boolean).join('; ');
        const choices = option.argChoices ? option.argChoices.map(code).join(', ') : '';
        return `| ${code(option.flags)} | ${defaultOf(option)} | ${choices} | ${meaning} |`;
      }),
  ];
}

/** The default as the user meets it; a `--no-x` flag's implied `true` is no default worth showing. */
function defaultOf(option: Option): string {
  if (option.defaultValueDescription) return code(option.defaultValueDescription);
  if (option.defaultValue === undefined || option.negate) return '';
  const value = Array.isArray(option.defaultValue) ? option.defaultValue.join(',') : String(option.defaultValue);
  return code(value);
}

/** Inside a code span only the table's `|` needs escaping; `<dir>` stays as typed. */
function code(text: string): string {
  return `\`${text.replaceAll('|', '\\|').replaceAll('\n', ' ')}\``;
}

/** Prose in a table cell: `|` would end the cell and `<dir>` would read as an HTML tag. */
function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('\n', ' ');
}

/** What `.conflicts()` recorded: a public field of commander's Option that its typings leave out. */
function conflictsOf(option: Option): string[] {
  return (option as Option & { conflictsWith?: string[] }).conflictsWith ?? [];
}

/** Commander records conflicts by attribute name (`checkpointDir`); show the flag (`--checkpoint-dir`). */
function flagOf(attributeName: string, options: readonly Option[]): string {
  const option = options.find((candidate) => candidate.attributeName() === attributeName);
  return option?.long ?? `--${attributeName.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/** GitHub's heading anchor: lower case, punctuation other than `-` and `_` dropped, spaces to `-`. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}
