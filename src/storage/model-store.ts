/**
 * Where a model's versions live: a local base path (`BASE/N` directories) or an object store
 * (`s3://bucket/prefix/N/...`), behind one interface. A reader only ever sees complete versions;
 * publishing is atomic for readers on both (rename locally, a commit protocol on S3: s3-store.ts).
 */
import { UserInputError } from '../errors.ts';
import { LocalModelStore } from './local-store.ts';
import { isS3Uri, parseS3Uri } from './s3-location.ts';
import { S3ModelStore } from './s3-store.ts';

export interface PublishRequest {
  /** Default: one more than the highest version the store holds (complete or not). */
  version?: number;
  /** Replace an existing version; readers never load a mix of old and new files. */
  force?: boolean;
  /** Fills a fresh local directory with the version's files (and verifies them) before anything is published. */
  build: (stagingDir: string) => Promise<void>;
  log?: (line: string) => void;
}

export interface PublishedVersion {
  version: number;
  /** Where the version is now: a local directory or an s3:// URI. */
  location: string;
  replaced: boolean;
}

export interface ModelStore {
  /** The base path or s3:// URI, as the user wrote it (resolved for local paths). */
  readonly location: string;
  /** Complete versions, ascending. */
  listVersions(): Promise<number[]>;
  versionLocation(version: number): string;
  /** Copies a complete version's files into `targetDir` (which exists and is empty), verified. */
  readVersion(version: number, targetDir: string): Promise<void>;
  publishVersion(request: PublishRequest): Promise<PublishedVersion>;
}

/**
 * Copies the version a URI names (`s3://bucket/base/N`, or a local `BASE/N`) into `targetDir`,
 * for commands that read one SavedModel. A local directory is returned as it is (no copy).
 */
export async function localVersionDir(uri: string, targetDir: () => string): Promise<string> {
  if (!isS3Uri(uri)) return uri;
  const match = /^(s3:\/\/.+)\/(\d+)\/?$/.exec(uri);
  if (!match) throw new UserInputError(`${uri}: expected a version on a store, s3://BUCKET/BASE/N`);
  const dir = targetDir();
  await openModelStore(match[1]!).readVersion(Number(match[2]), dir);
  return dir;
}

export function openModelStore(location: string): ModelStore {
  return isS3Uri(location) ? new S3ModelStore(parseS3Uri(location)) : new LocalModelStore(location);
}
