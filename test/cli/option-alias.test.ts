import { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.ts';
import { aliasOf } from '../../src/cli/option-alias.ts';
import { loadFullProgram } from '../../src/cli/reference.ts';
import { integer } from '../../src/cli/parse-flags.ts';

function threadsCommand(): Command {
  const threads = new Option('--intra-op-threads <n>', 'threads').argParser(integer(0, 8)).default(1);
  return new Command('serve')
    .exitOverride()
    .configureOutput({ writeErr: () => {} })
    .addOption(threads)
    .addOption(aliasOf(threads, '--tensorflow-intra-op-parallelism <n>', "TF Serving's name"))
    .action(() => {});
}

describe('aliasOf', () => {
  it('stores either spelling in the canonical attribute, parsed the same way, with the default kept', () => {
    const parse = (...args: string[]) => threadsCommand().parse(args, { from: 'user' }).opts();
    expect(parse()).toEqual({ intraOpThreads: 1 });
    expect(parse('--intra-op-threads', '4')).toEqual({ intraOpThreads: 4 });
    expect(parse('--tensorflow-intra-op-parallelism', '4')).toEqual({ intraOpThreads: 4 });
    expect(parse('--tensorflow-intra-op-parallelism', '2', '--intra-op-threads', '3')).toEqual({ intraOpThreads: 3 });
  });

  it('rejects a bad value given through the alias, naming the alias', () => {
    expect(() => threadsCommand().parse(['--tensorflow-intra-op-parallelism', '99'], { from: 'user' })).toThrow(
      /--tensorflow-intra-op-parallelism/,
    );
  });

  it('describes itself as the other spelling of the canonical flag', () => {
    const alias = threadsCommand().options.find((option) => option.long === '--tensorflow-intra-op-parallelism');
    expect(alias?.description).toBe("TF Serving's name for --intra-op-threads");
  });
});

/** The flags `mnist-serve ARGS` would hand to the command's action, without running it. */
async function parsedFlags(args: string[]): Promise<Record<string, unknown>> {
  const argv = ['node', 'mnist-serve', ...args];
  const program = await buildProgram(argv);
  let flags: Record<string, unknown> = {};
  for (const command of program.commands) {
    command.action((options: Record<string, unknown>) => {
      flags = options;
    });
  }
  await program.parseAsync(argv);
  return flags;
}

describe('one spelling per setting across commands, the old ones kept', () => {
  it.each([
    ['serve', ['--intra-op-threads', '2'], ['--tensorflow-intra-op-parallelism', '2'], 'intraOpThreads', 2],
    ['serve', ['--inter-op-threads', '0'], ['--tensorflow-inter-op-parallelism', '0'], 'interOpThreads', 0],
    ['predict', ['--model-name', 'fashion'], ['--model', 'fashion'], 'modelName', 'fashion'],
    ['export', ['--model-base-path', 'prod'], ['--base-path', 'prod'], 'modelBasePath', 'prod'],
    [
      'report',
      ['--model-base-path', 'prod', '--out', 'r'],
      ['--base-path', 'prod', '--out', 'r'],
      'modelBasePath',
      'prod',
    ],
  ] as const)('%s: %j and %j set %s', async (command, canonical, alias, attribute, value) => {
    expect((await parsedFlags([command, ...canonical]))[attribute]).toBe(value);
    expect((await parsedFlags([command, ...alias]))[attribute]).toBe(value);
  });

  it('shows TF Serving spellings in help and hides our former ones', async () => {
    const { commands } = await loadFullProgram();
    const help = (name: string) => commands.find((command) => command.name() === name)!.helpInformation();
    expect(help('serve')).toContain('--tensorflow-intra-op-parallelism');
    expect(help('predict')).not.toMatch(/--model </);
    expect(help('export')).not.toContain('--base-path');
    expect(help('report')).not.toContain('--base-path');
  });

  it('train and serve spell the intra-op thread count the same', async () => {
    expect((await parsedFlags(['train', '--intra-op-threads', '3'])).intraOpThreads).toBe(3);
    expect((await parsedFlags(['serve', '--intra-op-threads', '3'])).intraOpThreads).toBe(3);
  });
});
