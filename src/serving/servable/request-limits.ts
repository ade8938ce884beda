/**
 * What one request, and all requests together, may cost. A request's declared shape is checked
 * before any of its values is allocated or read: a 30-byte gRPC message that broadcasts one value
 * to [400000,28,28,1] would otherwise allocate 1.25 GB and hold the event loop for seconds.
 * - every dimension is a non-negative integer, and a tensor holds at most MAX_INPUT_VALUES values;
 * - a request carries at most `maxRequestRows` rows (dimension 0 of batched inputs);
 * - the rows of all requests between decoding and their answer stay within `maxInFlightRows`;
 *   past it a request is refused at once (RESOURCE_EXHAUSTED) rather than queued.
 */
import { invalidArgument, ServingError } from '../serving-errors.ts';

export interface RequestLimits {
  /** Rows one request may carry (dimension 0 of inputs batched along it). */
  maxRequestRows: number;
  /** Rows all requests may hold at once, from decoding until their answer is written. */
  maxInFlightRows: number;
}

/** Values one input tensor may hold whatever its shape: 2^24, 64 MiB as float32 (21,400 MNIST images). */
export const MAX_INPUT_VALUES = 2 ** 24;

/** TensorFlow's TensorShape::MaxDimensions: deeper shapes are refused before they are walked. */
export const MAX_RANK = 254;

/** Rows per request without batching: the notebook's max_batch_size, about 0.05–0.25 s of engine time. */
export const DEFAULT_MAX_REQUEST_ROWS = 1024;

/** Requests of the largest size that may be in flight at once by default. */
export const DEFAULT_IN_FLIGHT_REQUESTS = 8;

export function defaultRequestLimits(maxRequestRows = DEFAULT_MAX_REQUEST_ROWS): RequestLimits {
  return { maxRequestRows, maxInFlightRows: maxRequestRows * DEFAULT_IN_FLIGHT_REQUESTS };
}

/** Every dimension of a declared shape a non-negative integer, and at most MAX_RANK of them. */
export function checkDimensions(name: string, shape: readonly number[]): void {
  if (shape.length > MAX_RANK)
    throw invalidArgument(`input ${name}: rank ${shape.length} is over TensorFlow's limit of ${MAX_RANK} dimensions`);
  for (const size of shape) {
    if (!Number.isSafeInteger(size) || size < 0) {
      throw invalidArgument(
        `input ${name}: dimension ${size} of shape [${shape.join(',')}] is not a non-negative integer`,
      );
    }
  }
}

/** The values a shape declares, computed without overflow, at most MAX_INPUT_VALUES. */
export function checkValueCount(name: string, shape: readonly number[]): void {
  let values = 1;
  for (const size of shape) {
    // Once a dimension is 0 the product stays 0, but every size must still be in range.
    if (size > MAX_INPUT_VALUES || values * size > MAX_INPUT_VALUES) {
      throw invalidArgument(
        `input ${name}: shape [${shape.join(',')}] holds more than ${MAX_INPUT_VALUES} values, the limit per input`,
      );
    }
    values *= size;
  }
}

/** Both checks of a declared shape, before anything is allocated for it. */
export function checkDeclaredShape(name: string, shape: readonly number[]): void {
  checkDimensions(name, shape);
  checkValueCount(name, shape);
}

/** A request's rows (dimension 0) against the per-request limit. */
export function checkRequestRows(name: string, rows: number, limits: RequestLimits): void {
  if (rows > limits.maxRequestRows) {
    throw invalidArgument(`input ${name}: ${rows} rows exceed the limit of ${limits.maxRequestRows} rows per request`);
  }
}

export const OVERLOADED_MESSAGE = 'the server is at its limit of rows in flight; retry later';

/** The rows admitted and not yet answered, across every request of one server. */
export class RowAdmission {
  private inFlight = 0;

  constructor(private readonly maxInFlightRows: number) {}

  get rows(): number {
    return this.inFlight;
  }

  /** Admits `rows` or refuses at once; the returned function gives them back (once). */
  admit(rows: number): () => void {
    if (this.inFlight + rows > this.maxInFlightRows) {
      throw new ServingError(
        'RESOURCE_EXHAUSTED',
        `${OVERLOADED_MESSAGE} (${this.inFlight} of ${this.maxInFlightRows} in flight, this request ${rows})`,
      );
    }
    this.inFlight += rows;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= rows;
    };
  }
}
