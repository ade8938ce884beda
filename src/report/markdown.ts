/** report.md: the report for people, in a CI job summary or a pull request; figures by relative path. */
import { formatPValue } from '../savedmodel/baseline-gate.ts';
import type { Report } from './report-content.ts';

const percent = (value: number | null) => (value === null ? '–' : `${(value * 100).toFixed(2)}%`);

export function reportMarkdown(report: Report): string {
  const { figures } = report.files;
  const lines = [
    '# Model report',
    '',
    `- Model: \`${report.model.path}\` (${report.model.kind === 'checkpoint' ? 'checkpoint' : 'SavedModel'}, ` +
      `signature \`${report.model.signature}\`)`,
    `- Data: ${report.data.name}, ${report.data.samples} test images`,
    `- Test accuracy: **${percent(report.accuracy)}**`,
    '',
    ...comparisonSection(report),
    '## Training',
    '',
    ...trainingSection(report),
    '## Accuracy per class',
    '',
    `![Accuracy per class](${figures.perClassAccuracy})`,
    '',
    perClassTable(report),
    '',
    '## Confusion matrix',
    '',
    `![Confusion matrix](${figures.confusionMatrix})`,
    '',
    '## Most confidently wrong',
    '',
    ...(figures.mistakes
      ? [
          `![Most confidently wrong test images](${figures.mistakes})`,
          '',
          `The ${report.mistakes.length} wrong answers with the highest score, as *true → predicted (score)*.`,
        ]
      : ['The model classifies every test image right.']),
    '',
  ];
  return lines.join('\n');
}

function comparisonSection(report: Report): string[] {
  const c = report.comparison;
  if (!c) return [];
  if (c.note) return ['## Against the baseline', '', `Baseline \`${c.baseline.ref}\`: ${c.note}.`, ''];
  const which = c.baseline.version === null ? `\`${c.baseline.path}\`` : `version ${c.baseline.version}`;
  const verdict = c.passed
    ? 'not worse: `export --baseline` would publish it'
    : 'worse: `export --baseline` would refuse it';
  const noise = c.pValue! < 0.05 ? 'unlikely to be noise' : 'within noise';
  return [
    '## Against the baseline',
    '',
    `| | Baseline \`${c.baseline.ref}\` (${which}) | Candidate |`,
    '|---|---|---|',
    `| Test accuracy | ${percent(c.baseline.accuracy)} | ${percent(c.candidate.accuracy)} |`,
    '',
    `Change: ${(c.delta! * 100).toFixed(2)} points; the candidate fixes ${c.fixed} images and breaks ${c.broken} ` +
      `(exact McNemar p = ${formatPValue(c.pValue!)}, ${noise}). ` +
      `With an allowed regression of ${c.maxRegression} it is ${verdict}.`,
    '',
  ];
}

function trainingSection(report: Report): string[] {
  const t = report.training;
  if (!t)
    return [
      'A SavedModel holds no training records; report on a checkpoint (`--checkpoint`) for the training curves.',
      '',
    ];
  if (t.epochs.length === 0) return ['The checkpoint holds no completed epoch yet.', ''];
  const missing =
    t.missingEpochs.length > 0
      ? [
          `Epochs ${t.missingEpochs.join(', ')} have no checkpoint left ` +
            '(pruned by `train --keep`), so the curves skip them.',
          '',
        ]
      : [];
  return [
    `![Training curves](${report.files.figures.trainingCurves})`,
    '',
    ...missing,
    '| Epoch | Loss | Accuracy | Validation loss | Validation accuracy |',
    '|---:|---:|---:|---:|---:|',
    ...t.epochs.map(
      (e) =>
        `| ${e.epoch} | ${e.loss.toFixed(4)} | ${percent(e.accuracy)} | ` +
        `${e.val_loss.toFixed(4)} | ${percent(e.val_accuracy)} |`,
    ),
    '',
  ];
}

function perClassTable(report: Report): string {
  const withBaseline = report.comparison !== null && report.perClass.some((row) => row.baselineAccuracy !== null);
  const header = withBaseline
    ? ['| Class | Images | Candidate | Baseline |', '|---|---:|---:|---:|']
    : ['| Class | Images | Accuracy |', '|---|---:|---:|'];
  const rows = report.perClass.map((row) =>
    withBaseline
      ? `| ${row.class} | ${row.samples} | ${percent(row.accuracy)} | ${percent(row.baselineAccuracy)} |`
      : `| ${row.class} | ${row.samples} | ${percent(row.accuracy)} |`,
  );
  return [...header, ...rows].join('\n');
}
