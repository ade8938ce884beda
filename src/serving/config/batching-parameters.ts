/**
 * `batching_parameters.txt`: TF Serving's BatchingParameters in text format (each field a
 * wrapper message, `max_batch_size { value: 1024 }`; `allowed_batch_sizes` a repeated scalar).
 */
import { UserInputError } from '../../errors.ts';
import {
  formatTextProto,
  parseTextProto,
  type TextProtoFields,
  type TextProtoMessage,
} from '../../formats/text-proto.ts';
import { DEFAULT_BATCHING, type BatchingParameters } from '../batching/batcher.ts';

const WRAPPED_FIELDS = {
  max_batch_size: 'maxBatchSize',
  batch_timeout_micros: 'batchTimeoutMicros',
  max_enqueued_batches: 'maxEnqueuedBatches',
  num_batch_threads: 'numBatchThreads',
} as const;

export function formatBatchingParameters(params: BatchingParameters): string {
  const message: TextProtoMessage = {};
  for (const [field, key] of Object.entries(WRAPPED_FIELDS)) message[field] = { value: params[key] };
  if (params.allowedBatchSizes.length > 0) message.allowed_batch_sizes = params.allowedBatchSizes;
  return formatTextProto(message);
}

/** Fields left out take the defaults (the notebook's values); unknown fields are errors. */
export function parseBatchingParameters(text: string, source: string): BatchingParameters {
  const fields = parseTextProto(text, source);
  const params: BatchingParameters = { ...DEFAULT_BATCHING, allowedBatchSizes: [] };
  for (const [field, values] of Object.entries(fields)) {
    if (field === 'allowed_batch_sizes') {
      params.allowedBatchSizes = values.map((value) => positiveInteger(value, `${source}: allowed_batch_sizes`));
      continue;
    }
    const key = WRAPPED_FIELDS[field as keyof typeof WRAPPED_FIELDS];
    if (!key) {
      // TF Serving accepts more fields (pad_variable_length_inputs, thread_pool_name, …); the embedded
      // server does not use them.
      throw new UserInputError(
        `${source}: field ${field} is not supported ` +
          `(expected ${[...Object.keys(WRAPPED_FIELDS), 'allowed_batch_sizes'].join(', ')})`,
      );
    }
    if (values.length !== 1 || typeof values[0] !== 'object' || 'enum' in values[0]!) {
      throw new UserInputError(`${source}: ${field} must appear once, as ${field} { value: N }`);
    }
    const wrapper = values[0] as TextProtoFields;
    params[key] = positiveInteger(wrapper.value?.[0], `${source}: ${field}.value`, key === 'batchTimeoutMicros');
  }
  checkBatchingParameters(params, source);
  return params;
}

/** TF Serving's rule: allowed_batch_sizes increase and the last one is max_batch_size. */
export function checkBatchingParameters(params: BatchingParameters, where: string): void {
  const sizes = params.allowedBatchSizes;
  if (
    sizes.length > 0 &&
    (sizes.some((size, i) => i > 0 && size <= sizes[i - 1]!) || sizes[sizes.length - 1] !== params.maxBatchSize)
  ) {
    throw new UserInputError(
      `${where}: allowed_batch_sizes must increase and end with max_batch_size (${params.maxBatchSize})`,
    );
  }
}

function positiveInteger(value: unknown, where: string, zeroAllowed = false): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < (zeroAllowed ? 0 : 1)) {
    throw new UserInputError(
      `${where}: expected a ${zeroAllowed ? 'non-negative' : 'positive'} integer, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
