/** The report's figures as Vega-Lite specs: data in, chart description out; nothing is drawn here. */
import { PNG } from 'pngjs';
import type { TopLevelSpec } from 'vega-lite';
import type { Split } from '../data/types.ts';
import type { EpochMetrics } from '../model/training-metrics.ts';
import type { Mistake } from '../evaluation/classification.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

export interface EpochRecord extends EpochMetrics {
  epoch: number;
}

/** Loss and accuracy per epoch, train and validation, side by side. */
export function trainingCurvesSpec(history: EpochRecord[]): TopLevelSpec {
  const values = history.flatMap((r) => [
    { epoch: r.epoch, split: 'train', loss: r.loss, accuracy: r.accuracy },
    { epoch: r.epoch, split: 'validation', loss: r.val_loss, accuracy: r.val_accuracy },
  ]);
  const panel = (field: 'loss' | 'accuracy') => ({
    title: field === 'loss' ? 'Loss' : 'Accuracy',
    width: 300,
    height: 220,
    mark: { type: 'line' as const, point: true },
    encoding: {
      x: { field: 'epoch', type: 'ordinal' as const, axis: { labelAngle: 0 } },
      y: { field, type: 'quantitative' as const, scale: { zero: false } },
      color: { field: 'split', type: 'nominal' as const, title: null },
    },
  });
  return { $schema: SCHEMA, data: { values }, hconcat: [panel('loss'), panel('accuracy')] };
}

/** Counts per (true, predicted) class as a heat map, each cell labelled with its count. */
export function confusionMatrixSpec(matrix: number[][], classNames: string[]): TopLevelSpec {
  const values = matrix.flatMap((row, label) =>
    row.map((count, predicted) => ({ true: classNames[label], predicted: classNames[predicted], count })),
  );
  const max = Math.max(1, ...values.map((v) => v.count));
  const order = { sort: classNames };
  return {
    $schema: SCHEMA,
    title: 'Confusion matrix (test split)',
    data: { values },
    width: 360,
    height: 360,
    encoding: {
      x: {
        field: 'predicted',
        type: 'ordinal',
        ...order,
        title: 'predicted class',
        axis: { labelAngle: classNames.some((n) => n.length > 2) ? -45 : 0 },
      },
      y: { field: 'true', type: 'ordinal', ...order, title: 'true class' },
    },
    layer: [
      {
        mark: 'rect',
        encoding: { color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues' }, title: 'images' } },
      },
      {
        mark: { type: 'text', fontSize: 10 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: `datum.count > ${max / 2}`, value: 'white' }, value: 'black' },
        },
      },
    ],
  };
}

/** The model's accuracy on each class, next to the baseline's when there is one. */
export function perClassAccuracySpec(
  classNames: string[],
  models: { name: string; accuracy: (number | null)[] }[],
): TopLevelSpec {
  const values = models.flatMap((model) =>
    model.accuracy.map((accuracy, i) => ({ class: classNames[i], model: model.name, accuracy })),
  );
  return {
    $schema: SCHEMA,
    title: 'Accuracy per class (test split)',
    data: { values },
    width: 480,
    height: 240,
    mark: 'bar',
    encoding: {
      x: {
        field: 'class',
        type: 'ordinal',
        sort: classNames,
        title: 'class',
        axis: { labelAngle: classNames.some((n) => n.length > 2) ? -45 : 0 },
      },
      xOffset: { field: 'model', type: 'nominal', sort: models.map((m) => m.name) },
      y: { field: 'accuracy', type: 'quantitative', axis: { format: '%' }, scale: { domain: [0, 1] } },
      color: {
        field: 'model',
        type: 'nominal',
        sort: models.map((m) => m.name),
        title: null,
        legend: { labelLimit: 400, orient: 'bottom' },
      },
    },
  };
}

const GRID_COLUMNS = 6;
const TILE = 84;

/** The mistakes as a grid of their images, each titled with its true and predicted class. */
export function mistakesGridSpec(
  split: Split,
  imageSize: [number, number],
  mistakes: Mistake[],
  classNames: string[],
): TopLevelSpec {
  const values = mistakes.map((m, rank) => ({
    rank,
    url: digitDataUrl(split, m.index, imageSize),
    // Numbered: facets group by caption, and two mistakes may read the same.
    caption: `${rank + 1}. ${classNames[m.label]} → ${classNames[m.predicted]} (${m.confidence.toFixed(2)})`,
  }));
  return {
    $schema: SCHEMA,
    title: {
      text: 'Most confidently wrong test images',
      subtitle: 'true class → predicted class (score of the predicted class)',
    },
    data: { values },
    columns: GRID_COLUMNS,
    facet: {
      field: 'caption',
      type: 'nominal',
      sort: { field: 'rank', op: 'min' },
      header: { title: null, labelFontSize: 10, labelOrient: 'bottom' },
    },
    spec: {
      width: TILE,
      height: TILE,
      mark: { type: 'image', width: TILE, height: TILE, aspect: true, align: 'left', baseline: 'top', smooth: false },
      encoding: { url: { field: 'url', type: 'nominal' }, x: { value: 0 }, y: { value: 0 } },
    },
    config: { view: { stroke: null } },
  };
}

/** One image of the split as an 8-bit grayscale PNG data URL (white ink on black, as stored). */
function digitDataUrl(split: Split, index: number, [height, width]: [number, number]): string {
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  png.data = Buffer.from(split.images.subarray(index * width * height, (index + 1) * width * height));
  const bytes = PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
  return `data:image/png;base64,${bytes.toString('base64')}`;
}
