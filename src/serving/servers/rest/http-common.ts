/**
 * What the REST APIs (TF Serving's /v1 and the Open Inference Protocol's /v2) share on node:http:
 * request bodies read under a size limit, ServingError codes as HTTP statuses, path segments.
 */
import type http from 'node:http';
import type { ServingErrorCode } from '../../serving-errors.ts';

/** The body is over the limit: the REST servers answer 413 and close the connection. */
export class BodyTooLarge extends Error {}

export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () => new BodyTooLarge(`request body is larger than the limit of ${limit} bytes`);
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** tensorflow_model_server's ToHTTPStatusCode for the codes the core throws. */
/**
 * tensorflow_model_server's ToHTTPStatusCode for the codes the core throws, but for two:
 * RESOURCE_EXHAUSTED (TF Serving: 429) is only the refusal of a request past the rows in flight
 * here, an overload answered 503 like a full batch queue; CANCELLED (TF Serving: 500) is no bug,
 * and nobody reads the answer to a closed connection: 499, nginx's "client closed request".
 */
const HTTP_STATUS: Record<ServingErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  NOT_FOUND: 404,
  RESOURCE_EXHAUSTED: 503,
  UNIMPLEMENTED: 501,
  UNAVAILABLE: 503,
  CANCELLED: 499,
  INTERNAL: 500,
};

export function httpStatusFor(code: ServingErrorCode): number {
  return HTTP_STATUS[code];
}

/** Model names, labels and versions arrive URL-encoded; TF Serving unescapes them (curl_easy_unescape). */
export function decodePathSegment(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
