/**
 * Where a VersionManager finds versions and the directory each loads from. A local base path is
 * read in place. A store (s3://) is polled by listing, and each version the policy wants is
 * downloaded into a local cache (complete and verified before it appears: storage/materialize.ts)
 * and removed from it when the version unloads. With `serve --workers N` the workers share the
 * cache directory: a lock file makes one worker download a version while the others wait for it,
 * so a version is downloaded once per machine.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listVersions } from '../../storage/versions.ts';
import { materializeVersion, processAlive, removeDirectoryAtomic } from '../../storage/materialize.ts';
import type { ModelStore } from '../../storage/model-store.ts';
import { openModelStore } from '../../storage/open-model-store.ts';
import { isS3Uri } from '../../storage/s3-location.ts';

export interface VersionSource {
  /** Complete versions, ascending; throws when the store cannot be listed. */
  list(): Promise<number[]>;
  /** The local directory holding `version` (downloading it first from a store). */
  open(version: number): Promise<string>;
  /** The version was unloaded (or failed to load): its cached copy can go. */
  close(version: number): void;
}

/** $XDG_CACHE_HOME/mnist-serve/models, else ~/.cache/mnist-serve/models. */
export function defaultModelCacheRoot(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'mnist-serve', 'models');
}

/**
 * The cache of one server run: `ROOT/PID` (the primary's pid, shared by its workers). Caches of
 * runs whose process is gone (killed before it could clean up) are removed on the way.
 */
export function serverCacheDir(root: string, serverPid: number): string {
  if (fs.existsSync(root)) {
    for (const name of fs.readdirSync(root)) {
      if (/^\d+$/.test(name) && Number(name) !== serverPid && !processAlive(Number(name)))
        fs.rmSync(path.join(root, name), { recursive: true, force: true });
    }
  }
  return path.join(root, String(serverPid));
}

/** `cacheDir` is asked for only when `basePath` is on a store. */
export function versionSourceFor(basePath: string, cacheDir: () => string): VersionSource {
  return isS3Uri(basePath)
    ? new CachedStoreSource(openModelStore(basePath), path.join(cacheDir(), cacheKey(basePath)))
    : localSource(basePath);
}

function localSource(basePath: string): VersionSource {
  return {
    list: async () => listVersions(basePath),
    open: async (version) => path.join(basePath, String(version)),
    close: () => {},
  };
}

/** A readable directory name for a store location, unique by its hash. */
function cacheKey(location: string): string {
  const readable = location
    .replace(/^s3:\/\//, '')
    .replace(/[^A-Za-z0-9_.-]+/g, '_')
    .slice(-60);
  return `${readable}-${createHash('sha256').update(location).digest('hex').slice(0, 12)}`;
}

const LOCK_WAIT_MS = 100;

class CachedStoreSource implements VersionSource {
  constructor(
    private readonly store: ModelStore,
    private readonly dir: string,
  ) {}

  list(): Promise<number[]> {
    return this.store.listVersions();
  }

  async open(version: number): Promise<string> {
    const finalDir = path.join(this.dir, String(version));
    const lock = path.join(this.dir, `.${version}.lock`);
    fs.mkdirSync(this.dir, { recursive: true });
    for (;;) {
      if (fs.existsSync(finalDir)) return finalDir;
      if (!takeLock(lock)) {
        await new Promise((resolve) => setTimeout(resolve, LOCK_WAIT_MS));
        continue;
      }
      try {
        if (!fs.existsSync(finalDir)) await materializeVersion(this.store, version, finalDir);
      } finally {
        fs.rmSync(lock, { force: true });
      }
    }
  }

  close(version: number): void {
    removeDirectoryAtomic(path.join(this.dir, String(version)));
  }
}

/** Creates the lock file holding our pid; false while a live process holds it (a dead one's is taken over). */
function takeLock(lock: string): boolean {
  try {
    fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  try {
    const owner = Number(fs.readFileSync(lock, 'utf8'));
    if (owner && processAlive(owner)) return false;
    // An empty lock is one being written right now, unless it is old (its writer was killed).
    if (!owner && Date.now() - fs.statSync(lock).mtimeMs < 10_000) return false;
    fs.rmSync(lock, { force: true });
  } catch (error) {
    // Released between our attempt and the look at it: the next attempt may take it.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return false;
}
