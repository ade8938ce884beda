/**
 * Tensors as the serving core passes them between transports and the engine: a dtype name (as in
 * TensorFlow's DataType enum), a shape, and the values in row-major order. REST builds them from
 * JSON, gRPC and the warmup file from TensorProto; the batcher concatenates and splits rows.
 */
import type { DataTypeName } from '../../formats/proto/types.ts';
import {
  allocateValues,
  decodeTensorProto,
  elementCount,
  tensorProtoShape,
  TensorProtoError,
  type DecodedTensorProto,
  type HostTensor,
  type TensorValues,
} from '../../formats/tensorflow/tensor-proto.ts';
import { ServingError } from '../serving-errors.ts';
import { checkDeclaredShape } from './request-limits.ts';

export {
  allocateValues,
  elementCount,
  shapeString,
  type HostTensor,
  type TensorValues,
} from '../../formats/tensorflow/tensor-proto.ts';

export type TensorMap = Record<string, HostTensor>;

/** The dtypes a request may carry: what the engine can feed (tfjs holds every integer as int32). */
export const FEEDABLE_DTYPES: readonly DataTypeName[] = ['DT_FLOAT', 'DT_INT32', 'DT_INT64', 'DT_BOOL'];

/** TensorFlow's DataTypeString, which TF Serving uses in its messages (`float`, `int64`). */
export function dtypeString(dtype: DataTypeName): string {
  return dtype.replace(/^DT_/, '').toLowerCase();
}

/** Stacks tensors along dimension 0 (the batch); their other dimensions must already agree. */
export function concatRows(tensors: HostTensor[]): HostTensor {
  const first = tensors[0]!;
  if (tensors.length === 1) return first;
  const rows = tensors.reduce((sum, tensor) => sum + tensor.shape[0]!, 0);
  const shape = [rows, ...first.shape.slice(1)];
  const values = allocateValues(first.dtype, elementCount(shape));
  let offset = 0;
  for (const tensor of tensors) {
    if (Array.isArray(values))
      for (let i = 0; i < tensor.values.length; i++) (values as unknown[])[offset + i] = tensor.values[i];
    else (values as Float32Array).set(tensor.values as ArrayLike<number>, offset);
    offset += tensor.values.length;
  }
  return { dtype: first.dtype, shape, values };
}

/** Rows [start, end) of a tensor whose dimension 0 is the batch. */
export function sliceRows(tensor: HostTensor, start: number, end: number): HostTensor {
  const rowSize = elementCount(tensor.shape.slice(1));
  const values = tensor.values.slice(start * rowSize, end * rowSize) as TensorValues;
  return { dtype: tensor.dtype, shape: [end - start, ...tensor.shape.slice(1)], values };
}

/** Pads dimension 0 to `rows` by repeating the last row (TF Serving pads to allowed_batch_sizes). */
export function padRows(tensor: HostTensor, rows: number): HostTensor {
  const present = tensor.shape[0]!;
  if (rows === present) return tensor;
  const last = sliceRows(tensor, present - 1, present);
  return concatRows([tensor, ...Array.from({ length: rows - present }, () => last)]);
}

/**
 * A request's TensorProto: its declared shape is checked against the request limits before
 * anything is allocated for it; what the codec rejects is the client's error, as in TF Serving.
 */
export function tensorFromProto(proto: DecodedTensorProto, name: string): HostTensor {
  checkDeclaredShape(name, tensorProtoShape(proto));
  try {
    return decodeTensorProto(proto, `input ${name}`);
  } catch (error) {
    if (error instanceof TensorProtoError)
      throw new ServingError(error.unsupported ? 'UNIMPLEMENTED' : 'INVALID_ARGUMENT', error.message);
    throw error;
  }
}
