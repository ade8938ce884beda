/**
 * Version directories under a TF Serving base path: TF Serving loads every subdirectory whose
 * name is a non-negative integer and ignores the rest (our dot-prefixed staging directories).
 */
import fs from 'node:fs';
import path from 'node:path';
import { isErrnoError, parseTemporarySibling, processExists } from '../util/atomic-write.ts';

/** The file whose presence makes a version directory a SavedModel (TF Serving's test too). */
export const SAVED_MODEL_FILE = 'saved_model.pb';

/** Where `export` writes versions and where `serve` and `serving-config` look by default. */
export const DEFAULT_BASE_PATH = 'models/serving/versions';

/** The integer-named version directories under `basePath`, ascending; [] when it does not exist. */
export function listVersions(basePath: string): number[] {
  if (!fs.existsSync(basePath)) return [];
  return fs
    .readdirSync(basePath, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^\d+$/.test(entry.name))
    .map((entry) => Number(entry.name))
    .filter(Number.isSafeInteger)
    .sort((a, b) => a - b);
}

/** One more than the highest existing version, or 1. */
export function nextVersion(basePath: string): number {
  const versions = listVersions(basePath);
  return versions.length === 0 ? 1 : versions[versions.length - 1]! + 1;
}

export function versionDir(basePath: string, version: number): string {
  return path.join(basePath, String(version));
}

export interface AbandonedStaging {
  /** Staging directories removed. */
  removed: string[];
  /** Those that could not be removed, with the reason (EACCES, …); the export goes on without them. */
  failed: { path: string; reason: string }[];
}

/**
 * Removes version staging directories (`.N.tmp-PID-K`) that a killed export left under `basePath`:
 * those whose owning process no longer exists on this machine. A live export's stays untouched.
 */
export function removeAbandonedStaging(basePath: string): AbandonedStaging {
  const result: AbandonedStaging = { removed: [], failed: [] };
  if (!fs.existsSync(basePath)) return result;
  for (const entry of fs.readdirSync(basePath, { withFileTypes: true })) {
    const staging = parseTemporarySibling(entry.name);
    if (!entry.isDirectory() || !staging || !/^\d+$/.test(staging.finalName) || processExists(staging.pid)) continue;
    const dir = path.join(basePath, entry.name);
    try {
      fs.rmSync(dir, { recursive: true, force: true });
      result.removed.push(dir);
    } catch (error) {
      if (!isErrnoError(error)) throw error;
      result.failed.push({ path: dir, reason: error.code });
    }
  }
  return result;
}
