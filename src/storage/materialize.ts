/**
 * A store's version as a local directory that appears whole or not at all: downloaded into a
 * dot-prefixed staging sibling (which TF Serving and our listings ignore), verified by the store's
 * reader, fsynced, then renamed into place. Removal is the mirror image: renamed aside, then deleted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fsyncDirectory, fsyncTree, temporarySibling } from '../util/atomic-write.ts';
import type { ModelStore } from './model-store.ts';

export async function materializeVersion(store: ModelStore, version: number, finalDir: string): Promise<void> {
  const parent = path.dirname(finalDir);
  fs.mkdirSync(parent, { recursive: true });
  const staging = temporarySibling(finalDir);
  fs.mkdirSync(staging);
  try {
    await store.readVersion(version, staging);
    fsyncTree(staging);
    fs.renameSync(staging, finalDir);
    fsyncDirectory(parent);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Removes `dir` so that readers see it vanish at once (TF Serving never sees half of it). */
export function removeDirectoryAtomic(dir: string): void {
  if (!fs.existsSync(dir)) return;
  const aside = temporarySibling(dir);
  fs.renameSync(dir, aside);
  fs.rmSync(aside, { recursive: true, force: true });
}

/** Staging directories (`.N.tmp-PID-K`) left by a process that no longer runs (killed mid-download). */
export function removeAbandonedStaging(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir)) {
    const pid = Number(/^\.\d+\.tmp-(\d+)-\d+$/.exec(name)?.[1]);
    if (pid && !processAlive(pid)) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
