/**
 * The mnist-serve command line: global options, one module per subcommand, exit codes.
 * Nothing here loads TensorFlow; commands that need it load it inside their action.
 */
import { Command, CommanderError, Option } from 'commander';
import { createRequire } from 'node:module';
import { EXIT_OK, EXIT_USAGE } from '../errors.ts';
import { selectDevice, type Device } from '../engine/tf.ts';
import { register as registerCheckpoint } from './commands/checkpoint.ts';
import { register as registerData } from './commands/data.ts';
import { register as registerDoctor } from './commands/doctor.ts';
import { register as registerExport } from './commands/export.ts';
import { register as registerInspectGraph } from './commands/inspect-graph.ts';
import { register as registerPredict } from './commands/predict.ts';
import { register as registerServe } from './commands/serve.ts';
import { register as registerServingConfig } from './commands/serving-config.ts';
import { register as registerTrain } from './commands/train.ts';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export function buildProgram(argv: string[] = []): Command {
  const program = new Command('mnist-serve')
    .description('Train the Keras MNIST CNN, checkpoint it, export a TensorFlow SavedModel and serve it — no Python.')
    .option('--json', 'print one JSON object on stdout (logs go to stderr)')
    .option('-q, --quiet', 'print only results and errors')
    .option('--verbose', 'print stack traces for unexpected errors')
    .option('--no-color', 'no terminal escapes: plain progress lines instead of redrawn bars (also NO_COLOR=1)')
    .addOption(new Option('--device <device>', 'TensorFlow device').choices(['cpu', 'gpu', 'auto']).default('auto'))
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.trim().split('\n')[0] + '\n') })
    .hook('preAction', (root) => selectDevice(root.opts<{ device: Device }>().device));

  for (const register of [
    registerTrain, registerCheckpoint, registerInspectGraph, registerExport, registerServe,
    registerServingConfig, registerPredict, registerData, registerDoctor,
  ]) {
    register(program);
  }
  // Commander lets root options appear after a subcommand, so a root --version would swallow
  // `export --version N`: the root answers --version only when no subcommand is given.
  const names = new Set(program.commands.map((c) => c.name()));
  if (!argv.slice(2).some((arg) => names.has(arg))) program.version(version);
  // Subcommands inherit exitOverride and the one-line error output from the root.
  for (const command of program.commands) applyRootBehaviour(command, program);
  return program;
}

function applyRootBehaviour(command: Command, root: Command): void {
  command.exitOverride().configureOutput(root.configureOutput()).showSuggestionAfterError();
  for (const sub of command.commands) applyRootBehaviour(sub, root);
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram(argv);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      const benign = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code);
      process.exitCode = benign || error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
      return;
    }
    throw error;
  }
}

await main(process.argv);
