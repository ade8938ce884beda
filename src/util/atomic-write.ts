/**
 * Atomic publication of files and directories: write a temporary sibling, fsync it, rename it
 * over the final name, fsync the parent. Readers (TensorFlow Serving polling a base path, a
 * concurrent `checkpoint list`) see the old content or the new, never half a file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { OperationalError, UserInputError } from '../errors.ts';

let counter = 0;

/** A temporary sibling name; the leading dot keeps TF Serving and our listings from picking it up. */
export function temporarySibling(finalPath: string): string {
  counter += 1;
  return path.join(path.dirname(finalPath), `.${path.basename(finalPath)}.tmp-${process.pid}-${counter}`);
}

const TEMPORARY_SIBLING = /^\.(.+)\.tmp-(\d+)-(\d+)$/;

/** The final name and owning process of a `temporarySibling` name; null for any other name. */
export function parseTemporarySibling(name: string): { finalName: string; pid: number } | null {
  const match = TEMPORARY_SIBLING.exec(name);
  if (!match) return null;
  const pid = Number(match[2]);
  return Number.isSafeInteger(pid) && pid > 0 ? { finalName: match[1]!, pid } : null;
}

/**
 * Whether a process with this id exists on this machine (signal 0 probes without signalling).
 * EPERM: it exists but belongs to another user. A reused id reads as alive: callers err on keeping.
 */
export function processExists(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function fsyncDirectory(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** A Node errno error (EACCES, ENOTDIR, ENOSPC, ...): the environment refused, not a bug. */
export function isErrnoError(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  return (
    error instanceof Error &&
    typeof (error as NodeJS.ErrnoException).code === 'string' &&
    (error as NodeJS.ErrnoException).code!.startsWith('E')
  );
}

/** Rethrows an errno error as an OperationalError naming the path the user asked for, not a temporary one. */
function cannotWrite(finalPath: string, error: unknown): unknown {
  if (!isErrnoError(error)) return error;
  const reason = error.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
  return new OperationalError(`${finalPath}: cannot write it (${error.code}: ${reason})`);
}

/** mkdir -p that says "not a directory" (not Node's "file already exists") when a component is a file. */
function ensureDirectory(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (error) {
    if (isErrnoError(error) && error.code === 'EEXIST') {
      throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR' });
    }
    throw error;
  }
}

/** Writes `data` to `finalPath` atomically; `mode` (e.g. 0o755) is set before the file appears. */
export function writeFileAtomic(finalPath: string, data: Uint8Array | string, options: { mode?: number } = {}): void {
  try {
    ensureDirectory(path.dirname(finalPath));
    const tmp = temporarySibling(finalPath);
    try {
      const fd = fs.openSync(tmp, 'w');
      try {
        fs.writeFileSync(fd, data);
        if (options.mode !== undefined) fs.fchmodSync(fd, options.mode);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, finalPath);
    } catch (error) {
      fs.rmSync(tmp, { force: true });
      throw error;
    }
    fsyncDirectory(path.dirname(finalPath));
  } catch (error) {
    throw cannotWrite(finalPath, error);
  }
}

/** fsyncs every file below `dir` (and the directories), before a staged directory is renamed. */
export function fsyncTree(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      fsyncTree(full);
    } else if (entry.isFile()) {
      const fd = fs.openSync(full, 'r');
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
  }
  fsyncDirectory(dir);
}

/**
 * Builds a directory with `build(stagingDir)` and publishes it at `finalDir` atomically. With
 * `replace`, an existing `finalDir` is swapped out (rename aside, rename in, delete the old one);
 * otherwise an existing `finalDir` makes it throw (UserInputError) before anything is built. If the
 * swap fails halfway, the old directory is put back.
 */
export async function publishDirectoryAtomic(
  finalDir: string,
  build: (stagingDir: string) => Promise<void> | void,
  options: { replace?: boolean } = {},
): Promise<void> {
  const parent = path.dirname(finalDir);
  if (fs.existsSync(finalDir) && !options.replace) {
    throw new UserInputError(`${finalDir} already exists`);
  }
  const staging = temporarySibling(finalDir);
  try {
    ensureDirectory(parent);
    fs.mkdirSync(staging);
  } catch (error) {
    throw cannotWrite(finalDir, error);
  }
  try {
    await build(staging);
    fsyncTree(staging);
    if (fs.existsSync(finalDir)) {
      swapIn(staging, finalDir);
    } else {
      fs.renameSync(staging, finalDir);
    }
    fsyncDirectory(parent);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw cannotWrite(finalDir, error);
  }
}

/** Replaces `finalDir` by `staging`; if the second rename fails, the old directory goes back. */
function swapIn(staging: string, finalDir: string): void {
  const old = temporarySibling(finalDir);
  fs.renameSync(finalDir, old);
  try {
    fs.renameSync(staging, finalDir);
  } catch (error) {
    if (fs.existsSync(old) && !fs.existsSync(finalDir)) fs.renameSync(old, finalDir);
    throw error;
  }
  fs.rmSync(old, { recursive: true, force: true });
}
