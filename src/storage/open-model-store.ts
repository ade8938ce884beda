/** The model store for a location: `s3://bucket/prefix` or a local base path. */
import { UserInputError } from '../errors.ts';
import { LocalModelStore } from './local-store.ts';
import type { ModelStore } from './model-store.ts';
import { isS3Uri, parseS3Uri } from './s3-location.ts';
import { S3ModelStore } from './s3-store.ts';

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
