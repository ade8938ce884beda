/**
 * `sync`: mirrors the versions a policy wants from a store into a local base path that any TF
 * Serving reads. Each version appears whole (storage/materialize.ts); versions no longer wanted
 * are removed only once every wanted one is in place, so the directory never goes without a
 * servable version because of a sync. A store that lists no version at all (a wrong prefix, a
 * bucket being restored) removes nothing. Never loads TensorFlow.
 */
import fs from 'node:fs';
import path from 'node:path';
import { listVersions } from '../../storage/versions.ts';
import { materializeVersion, removeAbandonedStaging, removeDirectoryAtomic } from '../../storage/materialize.ts';
import type { ModelStore } from '../../storage/model-store.ts';
import type { Logger } from '../monitoring/logger.ts';
import { aspiredVersions, type VersionPolicy } from './model-server-config.ts';

export interface SyncResult {
  from: string;
  to: string;
  /** The versions in the target directory after this pass, ascending. */
  versions: number[];
  added: number[];
  removed: number[];
}

export async function syncVersions(
  store: ModelStore,
  targetDir: string,
  policy: VersionPolicy,
  log: (line: string) => void = () => {},
): Promise<SyncResult> {
  const target = path.resolve(targetDir);
  const wanted = aspiredVersions(policy, await store.listVersions());
  fs.mkdirSync(target, { recursive: true });
  removeAbandonedStaging(target);
  const present = new Set(listVersions(target));
  const added: number[] = [];
  for (const version of [...wanted].reverse()) {
    if (present.has(version)) continue;
    await materializeVersion(store, version, path.join(target, String(version)));
    log(`copied ${store.versionLocation(version)} to ${path.join(target, String(version))}`);
    added.push(version);
  }
  const removed = wanted.length === 0 ? [] : [...present].filter((version) => !wanted.includes(version));
  for (const version of removed) {
    removeDirectoryAtomic(path.join(target, String(version)));
    log(`removed version ${version} (no longer wanted by the policy)`);
  }
  return { from: store.location, to: target, versions: listVersions(target), added, removed };
}

export interface FollowOptions {
  policy: VersionPolicy;
  pollWaitSeconds: number;
  /** Ends the loop after the pass in progress (the sidecar's SIGTERM). */
  signal: AbortSignal;
  logger: Logger;
  /** How a failed pass's error reads in the log. */
  describeError: (error: unknown) => string;
}

/** The sidecar: a pass every `pollWaitSeconds` until aborted; a failing pass is one log line, and the next retries. */
export async function followStore(store: ModelStore, targetDir: string, options: FollowOptions): Promise<void> {
  const { logger, signal } = options;
  logger.info('sync started', { from: store.location, to: targetDir, poll_wait_seconds: options.pollWaitSeconds });
  while (!signal.aborted) {
    try {
      const result = await syncVersions(store, targetDir, options.policy, (line) => logger.info(line));
      if (result.added.length || result.removed.length)
        logger.info('sync pass changed the target', {
          versions: result.versions,
          added: result.added,
          removed: result.removed,
        });
    } catch (error) {
      logger.error('sync pass failed; retrying at the next pass', {
        from: store.location,
        error: options.describeError(error),
      });
    }
    await pause(options.pollWaitSeconds * 1000, signal);
  }
  logger.info('sync stopped');
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
