/**
 * Tensors as the serving core passes them between transports and the engine: a dtype name (as in
 * TensorFlow's DataType enum), a shape, and the values in row-major order. REST builds them from
 * JSON, gRPC and the warmup file from TensorProto; the batcher concatenates and splits rows.
 */
import type { DataTypeName, TensorProto } from '../../formats/proto/types.ts';
import { invalidArgument, ServingError } from '../serving-errors.ts';
import { checkDeclaredShape } from './request-limits.ts';

export type TensorValues = Float32Array | Float64Array | Int32Array | Uint8Array | number[] | string[];

export interface HostTensor {
  dtype: DataTypeName;
  shape: number[];
  values: TensorValues;
}

export type TensorMap = Record<string, HostTensor>;

/** The dtypes a request may carry: what the engine can feed (tfjs holds every integer as int32). */
export const FEEDABLE_DTYPES: readonly DataTypeName[] = ['DT_FLOAT', 'DT_INT32', 'DT_INT64', 'DT_BOOL'];

/** TensorFlow's DataTypeString, which TF Serving uses in its messages (`float`, `int64`). */
export function dtypeString(dtype: DataTypeName): string {
  return dtype.replace(/^DT_/, '').toLowerCase();
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** A typed array for `count` values of `dtype` (strings live in plain arrays). */
export function allocateValues(dtype: DataTypeName, count: number): TensorValues {
  if (dtype === 'DT_FLOAT') return new Float32Array(count);
  if (dtype === 'DT_DOUBLE') return new Float64Array(count);
  if (dtype === 'DT_STRING') return new Array<string>(count).fill('');
  if (dtype === 'DT_BOOL') return new Uint8Array(count);
  return new Int32Array(count);
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
    if (Array.isArray(values)) for (let i = 0; i < tensor.values.length; i++) (values as unknown[])[offset + i] = tensor.values[i];
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

/** A TensorProto's declared shape (int64 sizes as numbers; checked by checkDeclaredShape). */
export function protoShape(proto: TensorProto): number[] {
  return (proto.tensor_shape?.dim ?? []).map((dim) => Number(dim.size ?? 0));
}

/**
 * A TensorProto's values: from `tensor_content` (raw little-endian bytes) when present, else from
 * the typed repeated field; a single value with a larger shape is broadcast, as TensorFlow does.
 * The declared shape is checked before anything is allocated for it.
 */
export function tensorFromProto(proto: TensorProto, name: string): HostTensor {
  const dtype = proto.dtype ?? 'DT_INVALID';
  const shape = protoShape(proto);
  checkDeclaredShape(name, shape);
  const count = elementCount(shape);
  const values = allocateValues(dtype, count);
  const content = proto.tensor_content;
  if (content && content.length > 0) {
    const view = new DataView(content.buffer, content.byteOffset, content.byteLength);
    const width = contentWidth(dtype, name);
    if (content.length !== count * width) {
      throw invalidArgument(`input ${name}: tensor_content holds ${content.length} bytes, shape ${shapeString(shape)} needs ${count * width}`);
    }
    for (let i = 0; i < count; i++) (values as number[])[i] = readScalar(view, dtype, i * width);
    return { dtype, shape, values };
  }
  const listed = protoValueList(proto);
  if (listed.length !== count && listed.length !== 1 && !(listed.length === 0 && count === 0)) {
    throw invalidArgument(`input ${name}: ${listed.length} values for shape ${shapeString(shape)}`);
  }
  for (let i = 0; i < count; i++) (values as unknown[])[i] = listed.length === 1 ? listed[0] : listed[i];
  return { dtype, shape, values };
}

function contentWidth(dtype: DataTypeName, name: string): number {
  const widths: Record<string, number> = { DT_FLOAT: 4, DT_DOUBLE: 8, DT_INT32: 4, DT_INT64: 8, DT_UINT8: 1, DT_INT16: 2, DT_INT8: 1, DT_BOOL: 1 };
  const width = widths[dtype];
  if (!width) throw new ServingError('UNIMPLEMENTED', `input ${name}: dtype ${dtype} is not supported`);
  return width;
}

function readScalar(view: DataView, dtype: DataTypeName, offset: number): number {
  switch (dtype) {
    case 'DT_FLOAT': return view.getFloat32(offset, true);
    case 'DT_DOUBLE': return view.getFloat64(offset, true);
    case 'DT_INT64': return Number(view.getBigInt64(offset, true));
    case 'DT_INT16': return view.getInt16(offset, true);
    case 'DT_INT8': return view.getInt8(offset);
    case 'DT_UINT8': case 'DT_BOOL': return view.getUint8(offset);
    default: return view.getInt32(offset, true);
  }
}

function protoValueList(proto: TensorProto): unknown[] {
  switch (proto.dtype) {
    case 'DT_FLOAT': return proto.float_val ?? [];
    case 'DT_DOUBLE': return proto.double_val ?? [];
    case 'DT_INT64': return (proto.int64_val ?? []).map(Number);
    case 'DT_BOOL': return (proto.bool_val ?? []).map((value) => (value ? 1 : 0));
    case 'DT_STRING': return (proto.string_val ?? []).map((bytes) => Buffer.from(bytes).toString('utf8'));
    default: return proto.int_val ?? [];
  }
}

/** A TensorProto in the typed repeated field of its dtype (what TF Serving's gRPC answers hold). */
export function tensorToProto(tensor: HostTensor): TensorProto {
  const proto: TensorProto = { dtype: tensor.dtype, tensor_shape: { dim: tensor.shape.map((size) => ({ size })) } };
  const values = Array.from(tensor.values as ArrayLike<number | string>);
  switch (tensor.dtype) {
    case 'DT_FLOAT': proto.float_val = values as number[]; break;
    case 'DT_DOUBLE': proto.double_val = values as number[]; break;
    case 'DT_INT64': proto.int64_val = values as number[]; break;
    case 'DT_BOOL': proto.bool_val = (values as number[]).map(Boolean); break;
    case 'DT_STRING': proto.string_val = (values as string[]).map((text) => Buffer.from(text, 'utf8')); break;
    default: proto.int_val = values as number[];
  }
  return proto;
}
