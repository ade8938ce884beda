/**
 * `report`: a checkpoint's or SavedModel's evaluation on the test split as report.md, report.json
 * and PNG figures — the artifact a CI job keeps and a pull request shows.
 */
import { Option, type Command } from 'commander';
import { loadCheckpoint } from '../../checkpoint/load.ts';
import { datasetOverCheckpoint } from '../../checkpoint/meta.ts';
import { resolveCheckpointArgument } from '../../checkpoint/paths.ts';
import { loadDataset } from '../../data/load-dataset.ts';
import { loadTf } from '../../runtime/tf.ts';
import { UserInputError } from '../../errors.ts';
import { buildReport } from '../../report/build-report.ts';
import type { Report, ReportedModel } from '../../report/report-content.ts';
import { describeGate, type BaselineRequest } from '../../savedmodel/baseline-gate.ts';
import { DEFAULT_BASE_PATH } from '../../storage/versions.ts';
import { readVersionLabels } from '../../serving/config/version-labels.ts';
import { addDataOptions, datasetOptionsFrom, type DataFlags } from '../data-options.ts';
import { formerSpellingOf } from '../option-alias.ts';
import { globalOptions, log, printResult } from '../output.ts';
import { fraction } from '../parse-flags.ts';
import { runAction } from '../run-action.ts';

interface ReportFlags extends DataFlags {
  checkpoint?: string;
  savedModel?: string;
  baseline?: string;
  maxRegression: number;
  modelBasePath: string;
  modelName: string;
  modelConfigFile?: string;
  out: string;
}

export function register(command: Command): void {
  const modelBasePath = new Option(
    '--model-base-path <dir>',
    'the base path --baseline latest, N and label:NAME refer to',
  ).default(DEFAULT_BASE_PATH);
  command
    .option('--checkpoint <prefix>', 'checkpoint to report on (training curves come from its directory)')
    .option('--saved-model <dir>', 'SavedModel directory to report on')
    .requiredOption(
      '--out <dir>',
      'directory to write report.md, report.json and the figures to (replaces an earlier report there)',
    )
    .option(
      '--baseline <ref>',
      'compare with this baseline as export --baseline does: ' +
        'latest, a version number, label:NAME or a SavedModel directory',
    )
    .option(
      '--max-regression <x>',
      'accuracy the candidate may lose against --baseline and still count as not worse (0-1)',
      fraction,
      0,
    )
    .addOption(modelBasePath)
    .addOption(formerSpellingOf(modelBasePath, '--base-path <dir>'))
    .option('--model-name <name>', 'the model in --model-config-file whose version labels apply', 'mnist')
    .option('--model-config-file <file>', 'a models.config whose version_labels resolve --baseline label:NAME');
  addDataOptions(command).action(
    runAction(async (flags: ReportFlags, cmd: Command) => {
      const options = globalOptions(cmd);
      const model = await reportedModel(flags);
      const given = datasetOptionsFrom(flags);
      const dataset = await loadDataset(
        model.kind === 'checkpoint' ? datasetOverCheckpoint(model.checkpoint.meta, given) : given,
      );
      log(options, `evaluating on ${dataset.test.count} test images of ${dataset.name}`);
      const report = await buildReport({
        model,
        dataset,
        baseline:
          flags.baseline === undefined ? undefined : { request: baselineRequest(flags), basePath: flags.modelBasePath },
        outDir: flags.out,
        loadTf,
      });
      printResult(options, { outDir: flags.out, ...report }, () => render(flags.out, report));
    }),
  );
}

async function reportedModel(flags: ReportFlags): Promise<ReportedModel> {
  if ((flags.checkpoint === undefined) === (flags.savedModel === undefined)) {
    throw new UserInputError('report needs exactly one of --checkpoint PREFIX and --saved-model DIR');
  }
  if (flags.savedModel !== undefined) return { kind: 'saved-model', dir: flags.savedModel };
  return { kind: 'checkpoint', checkpoint: await loadCheckpoint(resolveCheckpointArgument(flags.checkpoint!)) };
}

function baselineRequest(flags: ReportFlags): BaselineRequest {
  const request = { ref: flags.baseline!, maxRegression: flags.maxRegression };
  return flags.modelConfigFile === undefined
    ? request
    : { ...request, versionLabels: readVersionLabels(flags.modelConfigFile, flags.modelName) };
}

function render(outDir: string, report: Report): string {
  const lines = [
    `wrote ${outDir}/${report.files.markdown}: ` +
      `test accuracy ${(report.accuracy * 100).toFixed(2)}% on ${report.data.samples} images`,
  ];
  if (report.comparison) lines.push(`  ${describeGate(report.comparison)}`);
  const figures = Object.values(report.files.figures).filter((file) => file !== null);
  lines.push(`  figures: ${figures.join(', ')}`);
  return lines.join('\n');
}
