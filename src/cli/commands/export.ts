/**
 * `export`: a checkpoint's weights as `BASE/N`, a SavedModel TF Serving loads as it is —
 * staged, verified through the TensorFlow C API, gated on accuracy, then published atomically.
 */
import { Option, type Command } from 'commander';
import { UserInputError } from '../../errors.ts';
import { loadCheckpoint, type LoadedCheckpoint } from '../../checkpoint/load.ts';
import { datasetOverCheckpoint } from '../../checkpoint/meta.ts';
import { DEFAULT_CHECKPOINT_DIR, latestCheckpoint, resolveCheckpointArgument } from '../../checkpoint/paths.ts';
import { loadDataset, type DatasetOptions } from '../../data/load-dataset.ts';
import { loadTf } from '../../runtime/tf.ts';
import { describeGate, type BaselineRequest } from '../../savedmodel/baseline-gate.ts';
import { exportSavedModel, type ExportResult } from '../../savedmodel/export.ts';
import { formatShape } from '../../savedmodel/show-signatures.ts';
import { DEFAULT_SIGNATURE_NAME, PREDICT_CLASSES_SIGNATURE_NAME } from '../../formats/tensorflow/constants.ts';
import { DEFAULT_BASE_PATH } from '../../storage/versions.ts';
import { addDataOptions, datasetOptionsFrom, type DataFlags } from '../data-options.ts';
import { formerSpellingOf } from '../option-alias.ts';
import { globalOptions, log, printResult } from '../output.ts';
import { fraction, nonNegativeInteger, positiveInteger, signatureName } from '../parse-flags.ts';
import { readVersionLabels } from '../../serving/config/version-labels.ts';
import { runAction } from '../run-action.ts';

interface ExportFlags extends DataFlags {
  checkpoint?: string;
  version?: number;
  modelBasePath: string;
  modelName: string;
  signatureName: string;
  decodedSignatureName?: string;
  /** The older name of --decoded-signature-name. */
  classesSignatureName?: string;
  force?: boolean;
  verify: boolean;
  minAccuracy?: number;
  baseline?: string;
  maxRegression: number;
  modelConfigFile?: string;
  warmupRequests: number;
}

/** Adds this command's options, subcommands and action to `command` (named and described by main.ts). */
export function register(command: Command): void {
  const modelBasePath = new Option(
    '--model-base-path <dir>',
    "the model's base path, holding one directory per version",
  ).default(DEFAULT_BASE_PATH);
  command
    .option('--checkpoint <prefix>', `checkpoint to export (default: the latest in ${DEFAULT_CHECKPOINT_DIR}/)`)
    .option('--version <n>', 'version number (default: one more than the highest in the base path)', positiveInteger)
    .addOption(modelBasePath)
    .addOption(formerSpellingOf(modelBasePath, '--base-path <dir>'))
    .option('--model-name <name>', 'model name written into the warmup requests', 'mnist')
    .option(
      '--signature-name <name>',
      'name of the main signature (image -> scores, classes)',
      signatureName,
      DEFAULT_SIGNATURE_NAME,
    )
    .option(
      '--decoded-signature-name <name>',
      "name of the notebook's signature (image -> decoded, the ten scores) " +
        `(default: "${PREDICT_CLASSES_SIGNATURE_NAME}")`,
      signatureName,
    )
    .addOption(
      new Option('--classes-signature-name <name>', 'older name of --decoded-signature-name')
        .argParser(signatureName)
        .conflicts('decodedSignatureName'),
    )
    .option('--force', 'replace an existing version (still atomically)')
    .option('--no-verify', 'skip loading the staged SavedModel through TensorFlow and comparing predictions')
    .option('--min-accuracy <x>', "refuse to publish when the SavedModel's test accuracy is below x (0-1)", fraction)
    .option(
      '--baseline <ref>',
      'refuse to publish when less accurate than this baseline on the same test images: latest, ' +
        'a version number, label:NAME (needs --model-config-file) or a SavedModel directory',
    )
    .option(
      '--max-regression <x>',
      'accuracy the candidate may lose against --baseline and still publish (0-1)',
      fraction,
      0,
    )
    .option(
      '--model-config-file <file>',
      'a models.config whose version_labels (of --model-name) resolve --baseline label:NAME',
    )
    .option(
      '--warmup-requests <n>',
      'PredictRequests written to assets.extra/tf_serving_warmup_requests (0: none)',
      nonNegativeInteger,
      10,
    );
  addDataOptions(command).action(
    runAction(async (flags: ExportFlags, cmd: Command) => {
      const options = globalOptions(cmd);
      const checkpoint = await loadCheckpoint(checkpointPrefix(flags.checkpoint));
      log(options, `exporting ${checkpoint.prefix} (epoch ${checkpoint.meta.epoch}, ${checkpoint.meta.data.name})`);
      const needsData =
        flags.verify || flags.minAccuracy !== undefined || flags.baseline !== undefined || flags.warmupRequests > 0;
      const dataset = needsData ? await loadDataset(datasetFor(flags, checkpoint)) : undefined;
      const result = await exportSavedModel({
        spec: checkpoint.spec,
        weights: checkpoint.state.variables,
        basePath: flags.modelBasePath,
        version: flags.version,
        force: flags.force,
        modelName: flags.modelName,
        signatureNames: {
          main: flags.signatureName,
          decoded: flags.decodedSignatureName ?? flags.classesSignatureName ?? PREDICT_CLASSES_SIGNATURE_NAME,
        },
        verify: flags.verify,
        minAccuracy: flags.minAccuracy,
        baseline: flags.baseline === undefined ? undefined : baselineRequest(flags),
        warmupRequests: flags.warmupRequests,
        test: dataset?.test,
        loadTf,
        log: (line) => log(options, line),
      });
      printResult(options, { checkpoint: checkpoint.prefix, ...result }, () => render(result));
    }),
  );
}

function checkpointPrefix(argument: string | undefined): string {
  if (argument) return resolveCheckpointArgument(argument);
  const latest = latestCheckpoint(DEFAULT_CHECKPOINT_DIR);
  if (!latest)
    throw new UserInputError(
      `no checkpoint in ${DEFAULT_CHECKPOINT_DIR}/: run \`mnist-serve train\` first, or pass --checkpoint PREFIX`,
    );
  return latest;
}

function baselineRequest(flags: ExportFlags): BaselineRequest {
  if (flags.modelConfigFile === undefined) return { ref: flags.baseline!, maxRegression: flags.maxRegression };
  return {
    ref: flags.baseline!,
    maxRegression: flags.maxRegression,
    versionLabels: readVersionLabels(flags.modelConfigFile, flags.modelName),
  };
}

/** The dataset the checkpoint was trained on, with the data flags given laid over it. */
function datasetFor(flags: ExportFlags, checkpoint: LoadedCheckpoint): DatasetOptions {
  return datasetOverCheckpoint(checkpoint.meta, datasetOptionsFrom(flags));
}

function render(result: ExportResult): string {
  const lines = [
    `exported ${result.modelName} version ${result.version} to ${result.path}${result.replaced ? ' (replaced)' : ''}`,
  ];
  for (const signature of result.signatures) {
    const io = (tensors: Record<string, { name: string; dtype: string; shape: number[] | null }>) =>
      Object.entries(tensors)
        .map(([key, t]) => `${key}=${t.name} ${t.dtype} ${formatShape(t.shape)}`)
        .join(', ');
    lines.push(`  signature ${signature.name}: ${io(signature.inputs)} -> ${io(signature.outputs)}`);
  }
  const v = result.verification;
  lines.push(
    v
      ? `  verified: ${v.images} images, max |Δ| ${v.maxAbsDiff.toExponential(2)} ≤ ${v.tolerance}, classes agree`
      : '  verification skipped (--no-verify)',
  );
  if (result.accuracy)
    lines.push(`  test accuracy: ${(result.accuracy.value * 100).toFixed(2)}% on ${result.accuracy.samples} images`);
  if (result.gate) lines.push(`  ${describeGate(result.gate)}`);
  if (result.warmup)
    lines.push(
      `  warmup: ${result.warmup.requests} requests (${result.warmup.signatures.join(', ')}) in ${result.warmup.file}`,
    );
  lines.push(`  took ${(result.durationMs / 1000).toFixed(1)} s`);
  return lines.join('\n');
}
