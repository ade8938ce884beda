/** What a report holds and the files it is written to; build-report.ts fills it, markdown.ts renders it. */
import type { LoadedCheckpoint } from '../checkpoint/load.ts';
import type { Mistake } from '../evaluation/classification.ts';
import type { BaselineGateResult } from '../savedmodel/baseline-gate.ts';
import type { TrainingHistory } from './training-history.ts';

export const REPORT_JSON = 'report.json';
export const REPORT_MARKDOWN = 'report.md';
export const FIGURE_FILES = {
  trainingCurves: 'training-curves.png',
  confusionMatrix: 'confusion-matrix.png',
  mistakes: 'most-confident-mistakes.png',
  perClassAccuracy: 'per-class-accuracy.png',
} as const;
/** Images in the mistakes grid. */
export const MISTAKES_SHOWN = 24;

export type ReportedModel = { kind: 'checkpoint'; checkpoint: LoadedCheckpoint } | { kind: 'saved-model'; dir: string };

export interface Report {
  model: { kind: ReportedModel['kind']; path: string; signature: string };
  data: { name: string; source: string; samples: number };
  accuracy: number;
  classNames: string[];
  perClass: { class: string; samples: number; accuracy: number | null; baselineAccuracy: number | null }[];
  /** `confusionMatrix[true][predicted]`. */
  confusionMatrix: number[][];
  mistakes: Mistake[];
  /** Per-epoch metrics from the checkpoints; null for a SavedModel. */
  training: TrainingHistory | null;
  /** The paired comparison export --baseline would make (without the gate's verdict mattering). */
  comparison: BaselineGateResult | null;
  /** File names inside the output directory; a figure that has no data is null. */
  files: { markdown: string; json: string; figures: Record<keyof typeof FIGURE_FILES, string | null> };
}
