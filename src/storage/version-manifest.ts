/**
 * The manifest an export writes into `N/` on an object store: every file of the version with its
 * size and SHA-256. Readers download exactly these files and check each against it, so a version
 * being replaced (--force) or published twice by racing exports can never be read as a mix: bytes
 * from another export do not match this manifest's hashes.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { OperationalError } from '../errors.ts';

export const MANIFEST_FILE = 'mnist-serve-manifest.json';
const FORMAT = 'mnist-serve-version/1';
/** A manifest larger than this is not one of ours; it is refused before it is read. */
export const MAX_MANIFEST_BYTES = 1 << 20;

export interface ManifestFile {
  /** Relative to the version, '/'-separated. */
  path: string;
  size: number;
  /** Hex. */
  sha256: string;
}

export interface VersionManifest {
  format: typeof FORMAT;
  /** Tells two exports of the same version apart. */
  exportId: string;
  files: ManifestFile[];
}

export function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The manifest of a staged version directory, files sorted by path. */
export function manifestOf(dir: string): VersionManifest {
  const files: ManifestFile[] = [];
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile())
        files.push({
          path: child,
          size: fs.statSync(path.join(dir, child)).size,
          sha256: sha256File(path.join(dir, child)),
        });
    }
  };
  walk('');
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { format: FORMAT, exportId: randomUUID(), files };
}

/** Parses a manifest read from `uri`; anything malformed (or a path leaving the version) is an OperationalError. */
export function parseManifest(text: string, uri: string): VersionManifest {
  const bad = (why: string) => new OperationalError(`${uri}: not a valid version manifest (${why})`);
  let value: VersionManifest;
  try {
    value = JSON.parse(text) as VersionManifest;
  } catch (error) {
    throw bad((error as Error).message);
  }
  if (value?.format !== FORMAT) throw bad(`format is not ${FORMAT}`);
  if (typeof value.exportId !== 'string' || !Array.isArray(value.files)) throw bad('exportId or files missing');
  for (const file of value.files) {
    const safe =
      typeof file?.path === 'string' &&
      file.path !== '' &&
      file.path.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
    if (!safe) throw bad(`file path ${JSON.stringify(file?.path)} is not a plain relative path`);
    if (!Number.isSafeInteger(file.size) || file.size < 0 || !/^[0-9a-f]{64}$/.test(file.sha256))
      throw bad(`${file.path}: size or sha256 malformed`);
  }
  return value;
}
