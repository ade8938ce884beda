/**
 * Errors of the serving core, one per canonical status code that TF Serving answers with, so each
 * transport maps them the way TF Serving does: REST to 400/404/503/429/500 (see
 * `httpStatusFor` in http-common.ts), gRPC to the status code of the same name.
 */
export type ServingErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'FAILED_PRECONDITION'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAVAILABLE'
  | 'UNIMPLEMENTED'
  | 'INTERNAL';

export class ServingError extends Error {
  override readonly name = 'ServingError';
  constructor(readonly code: ServingErrorCode, message: string) {
    super(message);
  }
}

export const invalidArgument = (message: string) => new ServingError('INVALID_ARGUMENT', message);
export const notFound = (message: string) => new ServingError('NOT_FOUND', message);
export const unavailable = (message: string) => new ServingError('UNAVAILABLE', message);

/** Any thrown value as a ServingError: unexpected ones become INTERNAL with their message. */
export function asServingError(error: unknown): ServingError {
  if (error instanceof ServingError) return error;
  return new ServingError('INTERNAL', error instanceof Error ? error.message : String(error));
}
