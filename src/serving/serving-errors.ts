/**
 * Errors of the serving core, one per canonical status code that TF Serving answers with, so each
 * transport maps them the way TF Serving does: REST to 400/404/503/499/500 (see
 * `httpStatusFor` in servers/rest/http-common.ts), gRPC to the status code of the same name.
 */
export type ServingErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'FAILED_PRECONDITION'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAVAILABLE'
  | 'UNIMPLEMENTED'
  | 'CANCELLED'
  | 'INTERNAL';

export class ServingError extends Error {
  override readonly name = 'ServingError';
  constructor(
    readonly code: ServingErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const invalidArgument = (message: string) => new ServingError('INVALID_ARGUMENT', message);
export const notFound = (message: string) => new ServingError('NOT_FOUND', message);
export const unavailable = (message: string) => new ServingError('UNAVAILABLE', message);
/** The client gave up (gRPC deadline or cancellation, REST connection closed) before the engine ran. */
export const cancelled = () => new ServingError('CANCELLED', 'the client cancelled the request before it ran');

/** Any thrown value as a ServingError: unexpected ones become INTERNAL with their message. */
export function asServingError(error: unknown): ServingError {
  if (error instanceof ServingError) return error;
  return new ServingError('INTERNAL', error instanceof Error ? error.message : String(error));
}
