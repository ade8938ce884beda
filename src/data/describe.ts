/** What `data info` reports: counts per split and class, shape, source, checksum status. */
import path from 'node:path';
import { embeddedDigitChecksums } from './embedded-mnist.ts';
import { classNames } from './class-names.ts';
import { idxContentChecksum } from './idx-checksum.ts';
import { IDX_FILE_NAMES, idxFilePaths } from './idx-directory.ts';
import { PINNED_DATASETS, type DownloadableDataset } from './pinned-files.ts';
import type { Dataset, Split } from './types.ts';

export interface FileChecksum {
  file: string;
  sha256: string;
  /** The pinned value it was compared with; null when nothing is pinned for this file. */
  expected: string | null;
}

export interface ChecksumReport {
  /** `verified`: every file matches its pin; `mismatch`: one does not; `unpinned`: a user's own files. */
  status: 'verified' | 'mismatch' | 'unpinned';
  /** For a user's IDX directory whose files match a published dataset, that dataset. */
  matches?: DownloadableDataset;
  /** What was hashed: the JSON files of the embedded set, the IDX content otherwise. */
  files: FileChecksum[];
}

export interface SplitSummary {
  count: number;
  perClass: number[];
}

export interface DatasetSummary {
  name: string;
  source: string;
  imageShape: [number, number, number];
  numClasses: number;
  classNames: string[];
  train: SplitSummary;
  test: SplitSummary;
  checksum: ChecksumReport;
}

function summarise(split: Split, numClasses: number): SplitSummary {
  const perClass = new Array<number>(numClasses).fill(0);
  for (const label of split.labels) perClass[label] = (perClass[label] ?? 0) + 1;
  return { count: split.count, perClass };
}

function pinsFor(name: string): DownloadableDataset[] {
  if (name === 'mnist-full') return ['mnist'];
  if (name === 'fashion-mnist') return ['fashion-mnist'];
  return ['mnist', 'fashion-mnist'];
}

async function idxChecksums(dataset: Dataset): Promise<ChecksumReport> {
  const paths = idxFilePaths(dataset.source);
  const hashed = await Promise.all(
    (Object.keys(IDX_FILE_NAMES) as (keyof typeof IDX_FILE_NAMES)[]).map(async (key) => ({
      base: IDX_FILE_NAMES[key],
      file: paths[key],
      sha256: (await idxContentChecksum(paths[key])).sha256,
    })),
  );
  const candidates = pinsFor(dataset.name);
  const expectedFrom = (pinned: DownloadableDataset, base: string): string | null =>
    PINNED_DATASETS[pinned].files.find((pin) => pin.file === `${base}.gz`)?.sha256 ?? null;
  const matching = candidates.find((pinned) => hashed.every((h) => h.sha256 === expectedFrom(pinned, h.base)));
  const compareWith = matching ?? (candidates.length === 1 ? candidates[0] : undefined);
  const files = hashed.map((h) => ({
    file: h.file,
    sha256: h.sha256,
    expected: compareWith ? expectedFrom(compareWith, h.base) : null,
  }));
  if (matching) return { status: 'verified', ...(dataset.name === 'idx' ? { matches: matching } : {}), files };
  return { status: compareWith ? 'mismatch' : 'unpinned', files };
}

function embeddedChecksums(): ChecksumReport {
  const files = embeddedDigitChecksums().map(({ file, sha256, expected }) => ({
    file: path.resolve(file),
    sha256,
    expected,
  }));
  return { status: files.every((f) => f.sha256 === f.expected) ? 'verified' : 'mismatch', files };
}

export async function describeDataset(dataset: Dataset): Promise<DatasetSummary> {
  return {
    name: dataset.name,
    source: dataset.source,
    imageShape: dataset.imageShape,
    numClasses: dataset.numClasses,
    classNames: classNames(dataset.name, dataset.numClasses),
    train: summarise(dataset.train, dataset.numClasses),
    test: summarise(dataset.test, dataset.numClasses),
    checksum: dataset.name === 'mnist' ? embeddedChecksums() : await idxChecksums(dataset),
  };
}
