/**
 * `report`: a model's evaluation written as a CI artifact — report.json, report.md and PNG figures
 * (training curves, confusion matrix, most confidently wrong images, per-class accuracy against a
 * baseline). The directory is built beside its final place and renamed in, so an interrupted run
 * leaves no half report.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { classNames as datasetClassNames } from '../data/class-names.ts';
import type { Dataset } from '../data/types.ts';
import type { Tf } from '../runtime/tf.ts';
import { UserInputError } from '../errors.ts';
import { confusionMatrix, mostConfidentMistakes, perClassAccuracy } from '../evaluation/classification.ts';
import {
  baselinePredictions,
  fetchBaseline,
  gateResult,
  releaseBaseline,
  type BaselineGateResult,
  type BaselineRequest,
  type ResolvedBaseline,
} from '../savedmodel/baseline-gate.ts';
import {
  accuracyOf,
  savedModelPredictions,
  scoringSignature,
  type SplitPredictions,
} from '../savedmodel/predictions.ts';
import { servingModelContent } from '../savedmodel/serving-model.ts';
import { writeSavedModel } from '../savedmodel/writer.ts';
import { publishDirectoryAtomic } from '../util/atomic-write.ts';
import { confusionMatrixSpec, mistakesGridSpec, perClassAccuracySpec, trainingCurvesSpec } from './figures.ts';
import { reportMarkdown } from './markdown.ts';
import {
  FIGURE_FILES,
  MISTAKES_SHOWN,
  REPORT_JSON,
  REPORT_MARKDOWN,
  type Report,
  type ReportedModel,
} from './report-content.ts';
import { chartToPng } from './render-chart.ts';
import { trainingHistory } from './training-history.ts';

export interface ReportRequest {
  model: ReportedModel;
  dataset: Dataset;
  /** Compare with this baseline, resolved against `basePath` as export --baseline does. */
  baseline?: { request: BaselineRequest; basePath: string };
  outDir: string;
  loadTf: () => Promise<Tf>;
}

export async function buildReport(request: ReportRequest): Promise<Report> {
  checkOutDir(request.outDir);
  const test = request.dataset.test;
  if (test.count === 0)
    throw new UserInputError(`${request.dataset.source}: the test split is empty; a report needs test images`);
  // Resolved first, so that a wrong ref fails before any evaluation.
  const baseline = request.baseline && (await fetchBaseline(request.baseline.request, request.baseline.basePath));
  const evaluated = evaluateBoth(request, baseline).finally(() => baseline && releaseBaseline(baseline));
  const { predictions, signature, modelPath, baselineAnswers } = await evaluated;

  const names = datasetClassNames(request.dataset.name, predictions.numClasses);
  const matrix = confusionMatrix(predictions.classes, test.labels, predictions.numClasses);
  const accuracyPerClass = perClassAccuracy(matrix);
  const baselinePerClass =
    baselineAnswers && perClassAccuracy(confusionMatrix(baselineAnswers.classes, test.labels, predictions.numClasses));
  const mistakes = mostConfidentMistakes(
    predictions.scores,
    predictions.classes,
    test.labels,
    predictions.numClasses,
    MISTAKES_SHOWN,
  );
  const training =
    request.model.kind === 'checkpoint'
      ? trainingHistory(request.model.checkpoint.prefix, request.model.checkpoint.meta)
      : null;
  const comparison = baseline
    ? gateResult(baseline, baselineAnswers, predictions, test, request.baseline!.request.maxRegression)
    : null;

  const figures = {
    trainingCurves: training && training.epochs.length > 0 ? FIGURE_FILES.trainingCurves : null,
    confusionMatrix: FIGURE_FILES.confusionMatrix,
    mistakes: mistakes.length > 0 ? FIGURE_FILES.mistakes : null,
    perClassAccuracy: FIGURE_FILES.perClassAccuracy,
  };
  const report: Report = {
    model: { kind: request.model.kind, path: modelPath, signature },
    data: { name: request.dataset.name, source: request.dataset.source, samples: test.count },
    accuracy: accuracyOf(predictions.classes, test.labels),
    classNames: names,
    perClass: names.map((name, i) => ({
      class: name,
      samples: matrix[i]!.reduce((a, b) => a + b, 0),
      accuracy: accuracyPerClass[i]!,
      baselineAccuracy: baselinePerClass ? baselinePerClass[i]! : null,
    })),
    confusionMatrix: matrix,
    mistakes,
    training,
    comparison,
    files: { markdown: REPORT_MARKDOWN, json: REPORT_JSON, figures },
  };

  const charts: [string | null, () => Promise<Uint8Array>][] = [
    [figures.trainingCurves, () => chartToPng(trainingCurvesSpec(training!.epochs))],
    [figures.confusionMatrix, () => chartToPng(confusionMatrixSpec(matrix, names))],
    [
      figures.mistakes,
      () =>
        chartToPng(
          mistakesGridSpec(test, [request.dataset.imageShape[0], request.dataset.imageShape[1]], mistakes, names),
        ),
    ],
    [
      figures.perClassAccuracy,
      () => chartToPng(perClassAccuracySpec(names, perClassSeries(accuracyPerClass, baselinePerClass, comparison))),
    ],
  ];
  const rendered: [string, Uint8Array][] = [];
  for (const [file, render] of charts) if (file) rendered.push([file, await render()]);

  await publishDirectoryAtomic(
    request.outDir,
    (staging) => {
      for (const [file, png] of rendered) fs.writeFileSync(path.join(staging, file), png);
      fs.writeFileSync(path.join(staging, REPORT_JSON), `${JSON.stringify(report, null, 2)}\n`);
      fs.writeFileSync(path.join(staging, REPORT_MARKDOWN), reportMarkdown(report));
    },
    { replace: true },
  );
  return report;
}

/** A report replaces an earlier report, never a directory of other files. */
function checkOutDir(outDir: string): void {
  if (!fs.existsSync(outDir)) return;
  if (!fs.statSync(outDir).isDirectory()) throw new UserInputError(`${outDir}: exists and is not a directory`);
  const entries = fs.readdirSync(outDir);
  if (entries.length > 0 && !entries.includes(REPORT_JSON)) {
    throw new UserInputError(
      `${outDir}: a directory of other files (no ${REPORT_JSON} from an earlier report); ` +
        'choose an empty or new directory',
    );
  }
}

function perClassSeries(
  candidate: (number | null)[],
  baseline: (number | null)[] | null,
  comparison: BaselineGateResult | null,
) {
  if (!baseline || !comparison) return [{ name: 'model', accuracy: candidate }];
  const which =
    comparison.baseline.version === null ? comparison.baseline.ref : `version ${comparison.baseline.version}`;
  return [
    { name: 'candidate', accuracy: candidate },
    { name: `baseline (${which})`, accuracy: baseline },
  ];
}

/** The model's answers on the test split, and the baseline's when there is one. */
async function evaluateBoth(request: ReportRequest, baseline: ResolvedBaseline | undefined) {
  const tf = await request.loadTf();
  const evaluated = await predictModel(tf, request.model, request.dataset);
  const baselineAnswers = baseline?.dir
    ? await baselinePredictions(tf, baseline.dir, baseline.ref, evaluated.predictions.numClasses, request.dataset.test)
    : null;
  return { ...evaluated, baselineAnswers };
}

/** A checkpoint is evaluated as the SavedModel export would write, staged in a temporary directory. */
async function predictModel(
  tf: Tf,
  model: ReportedModel,
  dataset: Dataset,
): Promise<{ predictions: SplitPredictions; signature: string; modelPath: string }> {
  if (model.kind === 'saved-model') {
    const signature = scoringSignature(model.dir);
    return {
      predictions: await savedModelPredictions(tf, model.dir, signature, dataset.test),
      signature: signature.name,
      modelPath: model.dir,
    };
  }
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-serve-report-'));
  try {
    writeSavedModel(staging, servingModelContent(model.checkpoint.spec, model.checkpoint.state.variables));
    const signature = scoringSignature(staging);
    return {
      predictions: await savedModelPredictions(tf, staging, signature, dataset.test),
      signature: signature.name,
      modelPath: model.checkpoint.prefix,
    };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
