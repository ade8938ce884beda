/** `s3://bucket/prefix` URIs: the bucket and the key prefix (no leading or trailing slash). */
import { UserInputError } from '../errors.ts';

export interface S3Location {
  bucket: string;
  /** '' for the bucket's root. */
  prefix: string;
}

export function isS3Uri(text: string): boolean {
  return text.startsWith('s3://');
}

/** Bucket names as S3 allows them (3–63 lowercase letters, digits, dots and hyphens). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/]*)\/?(.*)$/.exec(uri);
  const bucket = match?.[1] ?? '';
  if (!BUCKET.test(bucket)) throw new UserInputError(`${uri}: expected s3://BUCKET/PREFIX with a valid bucket name`);
  const prefix = match![2]!.replace(/\/+$/, '');
  if (prefix !== '' && prefix.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new UserInputError(`${uri}: the key prefix has an empty, "." or ".." segment`);
  }
  return { bucket, prefix };
}

export function s3Uri(location: S3Location, ...parts: string[]): string {
  return `s3://${[location.bucket, ...(location.prefix ? [location.prefix] : []), ...parts].join('/')}`;
}

/** The object key of `parts` under the location's prefix. */
export function s3Key(location: S3Location, ...parts: string[]): string {
  return [...(location.prefix ? [location.prefix] : []), ...parts].join('/');
}
