/**
 * Version directories under a TF Serving base path: TF Serving loads every subdirectory whose
 * name is a non-negative integer and ignores the rest (our dot-prefixed staging directories).
 */
import fs from 'node:fs';
import path from 'node:path';

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
