import fs from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { UserInputError } from '../../errors.ts';
import { normalizedImage } from '../../data/batches.ts';
import { loadDataset } from '../../data/load-dataset.ts';
import { classify, type ClassifyInput } from '../../serving/client/classify.ts';
import { decodeImage, MAX_IMAGE_FILE_BYTES, toMnistInput } from '../../serving/client/mnist-image.ts';
import * as grpcTransport from '../../serving/client/grpc-transport.ts';
import { addDataOptions, datasetOptionsFrom, type DataFlags } from '../data-options.ts';
import { formerSpellingOf } from '../option-alias.ts';
import { globalOptions, printResult, table } from '../output.ts';
import { collect, nonNegativeInteger } from '../parse-flags.ts';
import { runAction } from '../run-action.ts';

function hostPort(value: string): string {
  if (!/^(\[[^\]]+\]|[^:\s/]+):\d{1,5}$/.test(value))
    throw new InvalidArgumentError('expected HOST:PORT, e.g. 127.0.0.1:8500');
  return value;
}

interface PredictFlags extends DataFlags {
  server: string;
  grpc?: string;
  modelName: string;
  version?: number;
  label?: string;
  signatureName?: string;
  image?: string[];
  sample?: number[];
}

async function gatherInputs(flags: PredictFlags): Promise<ClassifyInput[]> {
  if (flags.image && flags.sample) throw new UserInputError('use either --image or --sample, not both');
  if (flags.image) {
    return flags.image.map((file) => {
      let bytes: Buffer;
      try {
        const { size } = fs.statSync(file);
        if (size > MAX_IMAGE_FILE_BYTES) {
          throw new UserInputError(
            `--image ${file}: ${size} bytes is more than the ` +
              `${MAX_IMAGE_FILE_BYTES / 2 ** 20} MiB an image file may have`,
          );
        }
        bytes = fs.readFileSync(file);
      } catch (error) {
        if (error instanceof UserInputError) throw error;
        throw new UserInputError(
          `--image ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        );
      }
      return { source: file, pixels: toMnistInput(decodeImage(bytes, file), file) };
    });
  }
  if (!flags.sample) throw new UserInputError('give --image FILE… or --sample N… (test-split images of --data)');
  const { test } = await loadDataset(datasetOptionsFrom(flags));
  return flags.sample.map((index) => {
    if (index >= test.count)
      throw new UserInputError(`--sample ${index}: the test split has ${test.count} images (0–${test.count - 1})`);
    return { source: `sample ${index}`, pixels: normalizedImage(test, index), expected: test.labels[index]! };
  });
}

/** Adds this command's options, subcommands and action to `command` (named and described by main.ts). */
export function register(predict: Command): void {
  const modelName = new Option('--model-name <name>', 'model name').default('mnist');
  addDataOptions(
    predict
      .option('--server <url>', 'server base URL', 'http://127.0.0.1:8501')
      .option(
        '--grpc <host:port>',
        "use TF Serving's gRPC API at HOST:PORT (e.g. 127.0.0.1:8500) instead of REST",
        hostPort,
      )
      .addOption(modelName)
      .addOption(formerSpellingOf(modelName, '--model <name>'))
      .option('--version <n>', 'a specific version (default: the newest available)', nonNegativeInteger)
      .option('--label <label>', 'a version label, e.g. stable or canary')
      .option('--signature-name <name>', 'signature to call (default serving_default)')
      .option('--image <files...>', 'PNG or JPEG files, any size; resized and normalised like MNIST')
      .option('--sample <n>', 'index of a test-split image of --data (repeatable)', collect(nonNegativeInteger)),
  ).action(
    runAction(async (flags: PredictFlags, command: Command) => {
      const options = globalOptions(command);
      if (flags.version !== undefined && flags.label !== undefined)
        throw new UserInputError('use either --version or --label, not both');
      if (flags.grpc !== undefined && command.getOptionValueSource('server') === 'cli')
        throw new UserInputError('use either --server or --grpc, not both');
      const inputs = await gatherInputs(flags);
      const report = await classify(
        {
          server: flags.grpc ?? flags.server,
          model: flags.modelName,
          version: flags.version,
          label: flags.label,
          signatureName: flags.signatureName,
        },
        inputs,
        flags.grpc !== undefined ? grpcTransport : undefined,
      );
      printResult(options, report, () => {
        const rows = report.results.map((result) => [
          result.source,
          result.class,
          ...(inputs.some((input) => input.expected !== undefined) ? [result.expected ?? ''] : []),
          result.top.map((entry) => `${entry.class}: ${entry.score.toFixed(4)}`).join('  '),
        ]);
        const headers = [
          'input',
          'class',
          ...(inputs.some((input) => input.expected !== undefined) ? ['label'] : []),
          'top scores',
        ];
        return (
          `model ${report.model} version ${report.version} (${report.signature}) ` +
          `at ${report.server}\n\n${table(headers, rows)}`
        );
      });
    }),
  );
}
