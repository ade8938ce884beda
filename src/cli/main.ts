/**
 * The mnist-serve command line: global options, one module per subcommand, exit codes.
 * Nothing here loads TensorFlow; commands that need it load it inside their action.
 */
import { Command, CommanderError, Option } from 'commander';
import { createRequire } from 'node:module';
import { EXIT_OK, EXIT_USAGE } from '../errors.ts';
import { selectDevice, type Device } from '../runtime/tf.ts';

type CommandModule = { register(command: Command): void };

/**
 * Every subcommand: its name, its one-line description, and its module, imported only when the
 * command line names it — so `--help` and a light command do not compile and load the whole tool.
 */
const COMMANDS: { name: string; description: string; load: () => Promise<CommandModule> }[] = [
  {
    name: 'train',
    description: 'train the CNN, evaluate it on the test split, write checkpoints as it goes',
    load: () => import('./commands/train.ts'),
  },
  {
    name: 'checkpoint',
    description: 'list, show, evaluate, restore and prune checkpoints',
    load: () => import('./commands/checkpoint.ts'),
  },
  {
    name: 'inspect-graph',
    description:
      "list a graph's nodes, input/output tensors and signatures (a SavedModel, " +
      "a checkpoint's graph, or the default model's)",
    load: () => import('./commands/inspect-graph.ts'),
  },
  {
    name: 'export',
    description: 'write a versioned SavedModel for TensorFlow Serving (BASE/N), verified before it is published',
    load: () => import('./commands/export.ts'),
  },
  {
    name: 'report',
    description:
      'evaluate a checkpoint or SavedModel into report.md, report.json and PNG figures, optionally against a baseline',
    load: () => import('./commands/report.ts'),
  },
  {
    name: 'serve',
    description:
      'the embedded TF-Serving-compatible server: REST, and gRPC with --port (flags as tensorflow_model_server)',
    load: () => import('./commands/serve.ts'),
  },
  {
    name: 'serving-config',
    description:
      'write models.config, batching_parameters.txt, docker run lines, ' +
      'docker-compose.yml and Kubernetes manifests for TensorFlow Serving',
    load: () => import('./commands/serving-config.ts'),
  },
  {
    name: 'sync',
    description:
      'mirror complete versions from an object store (s3://) ' +
      'into a local base path for any TF Serving; never loads TensorFlow',
    load: () => import('./commands/sync.ts'),
  },
  {
    name: 'predict',
    description: 'classify images through the REST or gRPC API of `mnist-serve serve` or TensorFlow Serving',
    load: () => import('./commands/predict.ts'),
  },
  {
    name: 'data',
    description: 'look at and fetch datasets: info, show, grid, download',
    load: () => import('./commands/data.ts'),
  },
  {
    name: 'doctor',
    description: 'report the TensorFlow engine in use, the machine, and whether Python TensorFlow is available',
    load: () => import('./commands/doctor.ts'),
  },
];

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export async function buildProgram(argv: string[] = []): Promise<Command> {
  const program = new Command('mnist-serve')
    .description('Train the Keras MNIST CNN, checkpoint it, export a TensorFlow SavedModel and serve it — no Python.')
    .option('--json', 'print one JSON object on stdout (logs go to stderr)')
    .option('-q, --quiet', 'print only results and errors')
    .option('--verbose', 'print stack traces for unexpected errors')
    .option('--no-color', 'no terminal escapes: plain progress lines, no redrawn bars or spinners (also NO_COLOR=1)')
    .addOption(new Option('--device <device>', 'TensorFlow device').choices(['cpu', 'gpu', 'auto']).default('auto'))
    .showSuggestionAfterError()
    .exitOverride()
    // Commander's own errors (unknown flag, bad value) read like every other: one prefixed line.
    .configureOutput({ outputError: (text, write) => write(`mnist-serve: ${text.trim().split('\n')[0]}\n`) })
    .hook('preAction', (root) => selectDevice(root.opts<{ device: Device }>().device));

  const named = new Set(argv.slice(2));
  for (const { name, description, load } of COMMANDS) {
    const command = program.command(name).description(description);
    // A command the line does not name only needs its name and description (root help, suggestions).
    if (named.has(name)) (await load()).register(command);
  }
  // Commander lets root options appear after a subcommand, so a root --version would swallow
  // `export --version N`: the root answers --version only when no subcommand is given.
  if (!COMMANDS.some(({ name }) => named.has(name))) program.version(version);
  // Subcommands inherit exitOverride and the one-line error output from the root.
  for (const command of program.commands) applyRootBehaviour(command, program);
  return program;
}

function applyRootBehaviour(command: Command, root: Command): void {
  command.exitOverride().configureOutput(root.configureOutput()).showSuggestionAfterError();
  for (const sub of command.commands) applyRootBehaviour(sub, root);
}

export async function main(argv: string[]): Promise<void> {
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help the user asked for exits 0; help shown because a (sub)command is missing is a usage error.
      const asked = ['commander.helpDisplayed', 'commander.version'].includes(error.code) || error.exitCode === 0;
      process.exitCode = asked ? EXIT_OK : EXIT_USAGE;
      // With --json, stdout holds exactly one object, as for the errors a command's action reports.
      if (!asked && error.code !== 'commander.help' && argv.includes('--json')) {
        const message = error.message.replace(/^error: /, '');
        process.stdout.write(`${JSON.stringify({ error: { kind: 'usage', message } }, null, 2)}\n`);
      }
      return;
    }
    throw error;
  }
}
