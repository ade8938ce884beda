/**
 * The S3 client, configured only through the AWS SDK's standard chain: credentials (environment,
 * shared config and credentials files, web identity for Kubernetes service accounts), region
 * (AWS_REGION or the profile) and endpoint (AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, then
 * `endpoint_url` in the profile: the SDK reads all of them itself). One setting of our own:
 * MNIST_SERVE_S3_FORCE_PATH_STYLE=1|0 picks path-style addressing (bucket in the path, as MinIO
 * and Ceph need); unset, it is on exactly when one of the endpoint variables is set.
 */
import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { OperationalError, UserInputError } from '../errors.ts';

export const FORCE_PATH_STYLE_ENV = 'MNIST_SERVE_S3_FORCE_PATH_STYLE';

/** Seconds to wait for a TCP connection; an endpoint that drops packets fails fast instead of hanging. */
const CONNECT_TIMEOUT_MS = 5_000;
/** Seconds a request may go without progress before it is abandoned (and retried by the SDK). */
const REQUEST_TIMEOUT_MS = 60_000;

export function forcePathStyle(env: NodeJS.ProcessEnv = process.env): boolean {
  const setting = env[FORCE_PATH_STYLE_ENV];
  if (setting === undefined || setting === '') return Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL);
  if (setting === '1' || setting === 'true') return true;
  if (setting === '0' || setting === 'false') return false;
  throw new UserInputError(`${FORCE_PATH_STYLE_ENV}=${setting}: expected 1 or 0`);
}

let shared: S3Client | undefined;

export function s3Client(): S3Client {
  // The pinned SDK runs on Node 20; its warning is about releases after it, and would break the
  // one-line-on-stderr contract of every command that touches a store.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  shared ??= new S3Client({
    forcePathStyle: forcePathStyle(),
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
  });
  return shared;
}

/**
 * A store error as one line naming the URI and what was being done: wrong credentials, a missing
 * bucket, an endpoint down.
 */
export function storeError(uri: string, action: string, error: unknown): Error {
  if (error instanceof UserInputError || error instanceof OperationalError) return error;
  return new OperationalError(`${uri}: cannot ${action} (${describe(error)})`);
}

function describe(error: unknown): string {
  if (error instanceof S3ServiceException) {
    const status = error.$metadata?.httpStatusCode;
    // A HEAD or an error without a body has no code of its own: name the HTTP status.
    const name =
      error.name === 'Unknown' || error.name === 'UnknownError' || error.name === 'NotFound'
        ? `HTTP ${status}`
        : error.name;
    const message =
      error.message && error.message !== 'UnknownError' && error.message !== error.name ? `: ${error.message}` : '';
    return `${name}${message}`;
  }
  const err = error as NodeJS.ErrnoException & { name?: string };
  if (err?.name === 'CredentialsProviderError')
    return 'no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, or a web identity';
  if (/Region is missing/i.test(err?.message ?? ''))
    return 'no AWS region configured: set AWS_REGION (any region, e.g. us-east-1, for MinIO)';
  const code = err?.code ?? (err?.cause as NodeJS.ErrnoException | undefined)?.code;
  const message = (err?.message ?? String(error)).split('\n')[0];
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
