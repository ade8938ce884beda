/**
 * `data download`: fetches a dataset's four IDX archives into the cache and verifies each
 * against its pinned SHA-256. A file is written as a hidden `.partial` sibling, resumed with
 * HTTP Range after a dropped connection (or redone when the server cannot resume), and renamed
 * to its final name only once verified — so a corrupt file never sits under the final name.
 * Every file is pinned, whatever the mirror, so its size bounds both the transfer and the
 * inflation that verifies it: a mirror serving endless bytes or a gzip bomb is stopped early.
 */
import fs from 'node:fs';
import path from 'node:path';
import { field, fieldMessage, OperationalError, UserInputError } from '../errors.ts';
import { fsyncDirectory } from '../util/atomic-write.ts';
import { datasetCacheDir, defaultDatasetCacheRoot } from './cache-dir.ts';
import { fetchToFile } from './http-fetch.ts';
import { ContentTooLargeError, idxContentChecksum } from './idx-checksum.ts';
import { PINNED_DATASETS, type DownloadableDataset, type PinnedFile } from './pinned-files.ts';

export interface DownloadProgress {
  file: string;
  receivedBytes: number;
  totalBytes?: number;
}

export interface DownloadOptions {
  dataset: DownloadableDataset;
  /** Base URL holding the four `.gz` files; default the dataset's standard public mirror. */
  mirror?: string;
  /** Cache root; the files go to `<cacheDir>/<dataset>/`. */
  cacheDir?: string;
  onProgress?: (progress: DownloadProgress) => void;
  /** Tries per file after dropped connections; default 5. */
  attempts?: number;
  /** Give up on a connection silent this long; default 30 s. */
  idleTimeoutMs?: number;
  /** For tests: files and hashes to fetch instead of the pinned published ones. */
  pinnedFiles?: PinnedFile[];
}

export interface DownloadedFile {
  file: string;
  url: string;
  path: string;
  /** `cached`: already present and verified; `downloaded`: fetched whole; `resumed`: continued a partial download. */
  status: 'cached' | 'downloaded' | 'resumed';
  sha256: string;
  /** Decompressed IDX size. */
  bytes: number;
}

export interface DownloadResult {
  dataset: DownloadableDataset;
  directory: string;
  mirror: string;
  files: DownloadedFile[];
}

export const DOWNLOADABLE_DATASETS = Object.keys(PINNED_DATASETS) as DownloadableDataset[];

function mirrorBase(mirror: string): URL {
  let url: URL;
  try {
    url = new URL(mirror.endsWith('/') ? mirror : `${mirror}/`);
  } catch {
    throw new UserInputError(fieldMessage`${field('mirror', mirror)}: not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UserInputError(fieldMessage`${field('mirror', mirror)}: expected an http:// or https:// URL`);
  return url;
}

/**
 * The most bytes a faithful .gz of a pinned file can take: its content size plus 0.1% (zlib's
 * worst case for incompressible data is about 0.03%) plus 1 MiB for gzip's optional header fields.
 */
export function maxArchiveBytes(pin: PinnedFile): number {
  return pin.bytes + Math.ceil(pin.bytes / 1000) + 1024 * 1024;
}

type Verdict = { ok: true; sha256: string; bytes: number } | { ok: false; problem: string };

async function verify(file: string, pin: PinnedFile): Promise<Verdict> {
  let sha256: string;
  let bytes: number;
  try {
    ({ sha256, bytes } = await idxContentChecksum(file, pin.bytes));
  } catch (error) {
    if (error instanceof ContentTooLargeError) return { ok: false, problem: error.message };
    if (error instanceof UserInputError)
      return { ok: false, problem: `not a valid gzip file (${((error.cause ?? error) as Error).message})` };
    throw error;
  }
  if (sha256 !== pin.sha256) {
    return {
      ok: false,
      problem: `checksum mismatch: expected SHA-256 ${pin.sha256} of the IDX content, got ${sha256}`,
    };
  }
  return { ok: true, sha256, bytes };
}

async function downloadFile(
  url: URL,
  finalPath: string,
  pin: PinnedFile,
  options: DownloadOptions,
): Promise<DownloadedFile> {
  const base = { file: pin.file, url: url.href, path: finalPath };
  if (fs.existsSync(finalPath)) {
    const present = await verify(finalPath, pin);
    if (present.ok) return { ...base, status: 'cached', sha256: present.sha256, bytes: present.bytes };
    fs.rmSync(finalPath);
  }
  const partial = path.join(path.dirname(finalPath), `.${pin.file}.partial`);
  const attempts = options.attempts ?? 5;
  let resumedAny = false;
  let redoneAfterMismatch = false;
  let lastReason = '';
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const outcome = await fetchToFile(url, partial, {
      idleTimeoutMs: options.idleTimeoutMs ?? 30_000,
      maxBytes: maxArchiveBytes(pin),
      onProgress: (receivedBytes, totalBytes) => options.onProgress?.({ file: pin.file, receivedBytes, totalBytes }),
    });
    resumedAny ||= outcome.resumed;
    if (outcome.state === 'interrupted') {
      const ofTotal = outcome.totalBytes ? ` of ${outcome.totalBytes}` : '';
      lastReason = `${outcome.reason} after ${outcome.bytesOnDisk}${ofTotal} bytes`;
      continue;
    }
    const check = await verify(partial, pin);
    if (!check.ok) {
      fs.rmSync(partial, { force: true });
      // A prefix left by an earlier run may belong to another version of the file: redo it once whole.
      if (resumedAny && !redoneAfterMismatch) {
        redoneAfterMismatch = true;
        resumedAny = false;
        continue;
      }
      throw new OperationalError(`${pin.file} from ${url}: ${check.problem}; the file was removed`);
    }
    const fd = fs.openSync(partial, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(partial, finalPath);
    fsyncDirectory(path.dirname(finalPath));
    return { ...base, status: resumedAny ? 'resumed' : 'downloaded', sha256: check.sha256, bytes: check.bytes };
  }
  throw new OperationalError(
    `${url}: download interrupted (${lastReason}) ${attempts} times; run the command again to resume from ${partial}`,
  );
}

export async function downloadDataset(options: DownloadOptions): Promise<DownloadResult> {
  const pinned = PINNED_DATASETS[options.dataset];
  if (!pinned)
    throw new UserInputError(
      fieldMessage`${field('dataset', options.dataset)}: expected one of ${DOWNLOADABLE_DATASETS.join(', ')}`,
    );
  const mirror = mirrorBase(options.mirror ?? pinned.mirror);
  const directory = datasetCacheDir(options.dataset, options.cacheDir ?? defaultDatasetCacheRoot());
  fs.mkdirSync(directory, { recursive: true });
  const files: DownloadedFile[] = [];
  for (const pin of options.pinnedFiles ?? pinned.files) {
    files.push(await downloadFile(new URL(pin.file, mirror), path.join(directory, pin.file), pin, options));
  }
  return { dataset: options.dataset, directory, mirror: mirror.href, files };
}
