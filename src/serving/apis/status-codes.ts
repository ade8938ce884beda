/**
 * TF Serving answers gRPC calls with the canonical code of the tensorflow::Status it got
 * (ToGRPCStatus casts one to the other: the numbers are the same) and the status message cut at
 * 1,024 characters; ServingErrors carry those codes by name.
 */
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import type { ServingErrorCode } from '../serving-errors.ts';

const GRPC_CODE: Record<ServingErrorCode, GrpcStatus> = {
  INVALID_ARGUMENT: GrpcStatus.INVALID_ARGUMENT,
  FAILED_PRECONDITION: GrpcStatus.FAILED_PRECONDITION,
  NOT_FOUND: GrpcStatus.NOT_FOUND,
  RESOURCE_EXHAUSTED: GrpcStatus.RESOURCE_EXHAUSTED,
  UNIMPLEMENTED: GrpcStatus.UNIMPLEMENTED,
  UNAVAILABLE: GrpcStatus.UNAVAILABLE,
  CANCELLED: GrpcStatus.CANCELLED,
  INTERNAL: GrpcStatus.INTERNAL,
};

const MESSAGE_LIMIT = 1024;

export function grpcCodeFor(code: ServingErrorCode): GrpcStatus {
  return GRPC_CODE[code];
}

/** grpc_status_util.cc's truncation, so a huge message never becomes a huge trailer. */
export function grpcMessage(message: string): string {
  return message.length > MESSAGE_LIMIT ? `${message.slice(0, MESSAGE_LIMIT)}...TRUNCATED` : message;
}

/** The status name of a gRPC error ("NOT_FOUND"), as clients and logs print it. */
export function statusName(error: Pick<ServiceError, 'code'>): string {
  return GrpcStatus[error.code] ?? String(error.code);
}
