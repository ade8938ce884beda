/**
 * Atomic publication of files and directories: write a temporary sibling, fsync it, rename it
 * over the final name, fsync the parent. Readers (TensorFlow Serving polling a base path, a
 * concurrent `checkpoint list`) see the old content or the new, never half a file.
 */
import fs from 'node:fs';
import path from 'node:path';

let counter = 0;

/** A temporary sibling name; the leading dot keeps TF Serving and our listings from picking it up. */
export function temporarySibling(finalPath: string): string {
  counter += 1;
  return path.join(path.dirname(finalPath), `.${path.basename(finalPath)}.tmp-${process.pid}-${counter}`);
}

export function fsyncDirectory(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes `data` to `finalPath` atomically. */
export function writeFileAtomic(finalPath: string, data: Uint8Array | string): void {
  fs.mkdirSync(path.dirname(finalPath), { recursive: true });
  const tmp = temporarySibling(finalPath);
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeFileSync(fd, data);
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
 * otherwise an existing `finalDir` makes it throw before anything is built.
 */
export async function publishDirectoryAtomic(
  finalDir: string,
  build: (stagingDir: string) => Promise<void> | void,
  options: { replace?: boolean } = {},
): Promise<void> {
  const parent = path.dirname(finalDir);
  fs.mkdirSync(parent, { recursive: true });
  if (fs.existsSync(finalDir) && !options.replace) {
    throw new Error(`${finalDir} already exists`);
  }
  const staging = temporarySibling(finalDir);
  fs.mkdirSync(staging);
  try {
    await build(staging);
    fsyncTree(staging);
    if (fs.existsSync(finalDir)) {
      const old = temporarySibling(finalDir);
      fs.renameSync(finalDir, old);
      fs.renameSync(staging, finalDir);
      fs.rmSync(old, { recursive: true, force: true });
    } else {
      fs.renameSync(staging, finalDir);
    }
    fsyncDirectory(parent);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}
