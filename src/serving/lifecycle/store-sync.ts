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
import { aspiredVersions, type VersionPolicy } from './model-server-config.ts';

export interface SyncResult {
  from: string;
  to: string;
  /** The versions in the target directory after this pass, ascending. */
  versions: number[];
  added: number[];
  removed: number[];
}

export async function syncVersions(store: ModelStore, targetDir: string, policy: VersionPolicy, log: (line: string) => void = () => {}): Promise<SyncResult> {
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
