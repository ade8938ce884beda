/**
 * Where a model's versions live: a local base path (`BASE/N` directories) or an object store
 * (`s3://bucket/prefix/N/...`), behind one interface. A reader only ever sees complete versions;
 * publishing is atomic for readers on both (rename locally, a commit protocol on S3: s3-store.ts).
 * open-model-store.ts picks the implementation for a location.
 */

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
