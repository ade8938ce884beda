/** A base path on the local file system: versions are published by renaming a staged directory into place. */
import fs from 'node:fs';
import { field, fieldMessage, UserInputError } from '../errors.ts';
import { listVersions, nextVersion, versionDir } from './versions.ts';
import { publishDirectoryAtomic } from '../util/atomic-write.ts';
import type { ModelStore, PublishedVersion, PublishRequest } from './model-store.ts';

export class LocalModelStore implements ModelStore {
  readonly location: string;

  constructor(basePath: string) {
    this.location = basePath;
  }

  async listVersions(): Promise<number[]> {
    return listVersions(this.location);
  }

  versionLocation(version: number): string {
    return versionDir(this.location, version);
  }

  async readVersion(version: number, targetDir: string): Promise<void> {
    const source = this.versionLocation(version);
    if (!fs.existsSync(source)) throw new UserInputError(`${source}: no such version`);
    fs.cpSync(source, targetDir, { recursive: true });
  }

  async publishVersion(request: PublishRequest): Promise<PublishedVersion> {
    const version = request.version ?? nextVersion(this.location);
    const finalDir = this.versionLocation(version);
    const replaced = fs.existsSync(finalDir);
    if (replaced && !request.force) {
      throw new UserInputError([
        `${finalDir} already exists; `,
        ...fieldMessage`pass ${field('force', true)} to replace it or ${field('version')} to choose another version`,
      ]);
    }
    await publishDirectoryAtomic(finalDir, request.build, { replace: request.force });
    return { version, location: finalDir, replaced };
  }
}
