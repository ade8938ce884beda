import { Option, type Command } from 'commander';
import { classNames } from '../../data/class-names.ts';
import { describeDataset, type DatasetSummary } from '../../data/describe.ts';
import { DOWNLOADABLE_DATASETS, downloadDataset, type DownloadResult } from '../../data/download.ts';
import { loadDataset } from '../../data/load-dataset.ts';
import { asciiArt, checkIndex, imagesPng, pixelRows, splitOf, type SplitName } from '../../data/preview.ts';
import type { DownloadableDataset } from '../../data/pinned-files.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { addDataOptions, datasetOptionsFrom, type DataFlags } from '../data-options.ts';
import { globalOptions, log, printResult, table } from '../output.ts';
import { integer, nonNegativeInteger } from '../parse-flags.ts';
import { runAction } from '../run-action.ts';

const splitOption = (): Option =>
  new Option('--split <split>', 'which split').choices(['train', 'test']).default('train');
const scaleOption = (): Option =>
  new Option('--scale <n>', 'PNG pixels per image pixel').argParser(integer(1, 32)).default(4);

function renderInfo(summary: DatasetSummary): string {
  const rows = summary.classNames.map((name, c) => [
    c,
    name,
    summary.train.perClass[c] ?? 0,
    summary.test.perClass[c] ?? 0,
  ]);
  const checksum = summary.checksum.status + (summary.checksum.matches ? ` (matches ${summary.checksum.matches})` : '');
  return [
    `dataset   ${summary.name}`,
    `source    ${summary.source}`,
    `shape     ${summary.imageShape.join('×')} uint8, ${summary.numClasses} classes`,
    `train     ${summary.train.count}`,
    `test      ${summary.test.count}`,
    `checksum  ${checksum}`,
    ...summary.checksum.files
      .filter((f) => f.expected !== null && f.sha256 !== f.expected)
      .map((f) => `          ${f.file}: expected ${f.expected}, got ${f.sha256}`),
    '',
    table(['class', 'name', 'train', 'test'], rows),
  ].join('\n');
}

function renderDownload(result: DownloadResult): string {
  return [
    table(
      ['file', 'status', 'sha256'],
      result.files.map((f) => [f.file, f.status, f.sha256]),
    ),
    '',
    `${result.dataset} is in ${result.directory}`,
    `use it with --data ${result.dataset === 'mnist' ? 'mnist-full' : 'fashion-mnist'} ` +
      `(or --data-dir ${result.directory})`,
  ].join('\n');
}

/** Adds this command's options, subcommands and action to `command` (named and described by main.ts). */
export function register(data: Command): void {
  addDataOptions(
    data.command('info').description('counts per split and class, image shape, source, checksum status'),
  ).action(
    runAction(async (opts: DataFlags, command: Command) => {
      const options = globalOptions(command);
      const summary = await describeDataset(await loadDataset(datasetOptionsFrom(opts)));
      printResult(options, summary, () => renderInfo(summary));
    }),
  );

  addDataOptions(
    data.command('show').description('print one image as ASCII art with its label; --png writes it as a PNG'),
  )
    .requiredOption('--index <n>', 'image index within the split', nonNegativeInteger)
    .addOption(splitOption())
    .option('--png <file>', 'also write the image as a grayscale PNG')
    .addOption(scaleOption())
    .action(
      runAction(
        async (
          opts: DataFlags & { index: number; split: SplitName; png?: string; scale: number },
          command: Command,
        ) => {
          const options = globalOptions(command);
          const dataset = await loadDataset(datasetOptionsFrom(opts));
          const split = splitOf(dataset, opts.split);
          checkIndex(split, opts.split, opts.index);
          const label = split.labels[opts.index]!;
          const className = classNames(dataset.name, dataset.numClasses)[label]!;
          const classSuffix = className !== String(label) ? ` (${className})` : '';
          if (opts.png) writeFileAtomic(opts.png, imagesPng(dataset, split, [opts.index], 1, opts.scale));
          const art = asciiArt(dataset, split, opts.index);
          const result = {
            dataset: dataset.name,
            split: opts.split,
            index: opts.index,
            label,
            className,
            png: opts.png ?? null,
            pixels: pixelRows(dataset, split, opts.index),
          };
          printResult(options, result, () =>
            [
              ...art,
              `${dataset.name} ${opts.split}[${opts.index}]  label ${label}${classSuffix}`,
              ...(opts.png ? [`wrote ${opts.png}`] : []),
            ].join('\n'),
          );
        },
      ),
    );

  addDataOptions(
    data
      .command('grid')
      .description('write a PNG grid of consecutive images (4×4 for --count 16) and list their labels'),
  )
    .requiredOption('--png <file>', 'the PNG to write')
    .addOption(new Option('--count <n>', 'how many images').argParser(integer(1, 400)).default(16))
    .option('--index <n>', 'first image index within the split', nonNegativeInteger, 0)
    .addOption(splitOption())
    .addOption(scaleOption())
    .action(
      runAction(
        async (
          opts: DataFlags & { png: string; count: number; index: number; split: SplitName; scale: number },
          command: Command,
        ) => {
          const options = globalOptions(command);
          const dataset = await loadDataset(datasetOptionsFrom(opts));
          const split = splitOf(dataset, opts.split);
          checkIndex(split, opts.split, opts.index);
          const indices = Array.from(
            { length: Math.min(opts.count, split.count - opts.index) },
            (_, i) => opts.index + i,
          );
          const columns = Math.ceil(Math.sqrt(indices.length));
          writeFileAtomic(opts.png, imagesPng(dataset, split, indices, columns, opts.scale));
          const labels = indices.map((i) => split.labels[i]!);
          const rows = Array.from({ length: Math.ceil(labels.length / columns) }, (_, r) =>
            labels.slice(r * columns, (r + 1) * columns),
          );
          const result = { dataset: dataset.name, split: opts.split, png: opts.png, columns, indices, labels };
          printResult(options, result, () =>
            [
              `wrote ${opts.png}: ${dataset.name} ${opts.split}[${indices[0]}…${indices[indices.length - 1]}], ` +
                `${columns} per row; labels:`,
              ...rows.map((row) => row.join(' ')),
            ].join('\n'),
          );
        },
      ),
    );

  data
    .command('download')
    .description('fetch the full MNIST or Fashion-MNIST into the cache, verified against pinned SHA-256s')
    .addOption(new Option('--dataset <name>', 'which dataset').choices(DOWNLOADABLE_DATASETS).default('mnist'))
    .option('--mirror <url>', 'base URL holding the four .gz files (default: the standard public mirror)')
    .option(
      '--cache-dir <dir>',
      'cache root; files go to <dir>/<dataset>/ (default: $XDG_CACHE_HOME/mnist-serve/datasets)',
    )
    .action(
      runAction(
        async (opts: { dataset: DownloadableDataset; mirror?: string; cacheDir?: string }, command: Command) => {
          const options = globalOptions(command);
          let lastReport = 0;
          const result = await downloadDataset({
            dataset: opts.dataset,
            ...(opts.mirror !== undefined ? { mirror: opts.mirror } : {}),
            ...(opts.cacheDir !== undefined ? { cacheDir: opts.cacheDir } : {}),
            onProgress: ({ file, receivedBytes, totalBytes }) => {
              const now = Date.now();
              if (now - lastReport < 1000 && receivedBytes !== totalBytes) return;
              lastReport = now;
              const percent = totalBytes ? ` (${Math.floor((100 * receivedBytes) / totalBytes)}%)` : '';
              log(options, `${file}: ${(receivedBytes / 1e6).toFixed(1)} MB${percent}`);
            },
          });
          printResult(options, result, () => renderDownload(result));
        },
      ),
    );
}
