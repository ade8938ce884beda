/**
 * TensorProto ⇄ host tensors (a dtype, a shape, row-major values). TensorFlow stores the values
 * either as raw little-endian bytes in `tensor_content` (what it writes for numeric constants)
 * or in the repeated field of the dtype (`float_val`, `int64_val`, …; strings are only ever
 * there), where a single value with a larger shape is broadcast to every element. The shape is a
 * TensorProto's own: absent means a scalar.
 */
import type { DataTypeName, TensorProto, TensorProto__Output } from '../proto/types.ts';
import { shapeDims, shapeProto } from './shape.ts';

export type TensorValues = Float32Array | Float64Array | Int32Array | Uint8Array | number[] | string[];

export interface HostTensor {
  dtype: DataTypeName;
  shape: number[];
  values: TensorValues;
}

/** A TensorProto this codec cannot read: malformed (`unsupported` false) or of a dtype it lacks. */
export class TensorProtoError extends Error {
  constructor(
    message: string,
    readonly unsupported = false,
  ) {
    super(message);
  }
}

/** Bytes per element in `tensor_content`, for the dtypes this codec reads and writes. */
const CONTENT_WIDTHS: Partial<Record<DataTypeName, number>> = {
  DT_FLOAT: 4,
  DT_DOUBLE: 8,
  DT_INT32: 4,
  DT_INT64: 8,
  DT_UINT8: 1,
  DT_INT16: 2,
  DT_INT8: 1,
  DT_BOOL: 1,
};

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

/** A TensorProto as decoded (enum names, int64 as numbers, bytes as Buffers); any field may be absent. */
export type DecodedTensorProto = Partial<TensorProto__Output>;

/** The shape a TensorProto declares (checked by callers before decodeTensorProto allocates it). */
export function tensorProtoShape(proto: DecodedTensorProto): number[] {
  return shapeDims(proto.tensor_shape ?? {}) ?? [];
}

/** The values of a TensorProto; `name` (the tensor's role, e.g. `input image`) starts each error. */
export function decodeTensorProto(proto: DecodedTensorProto, name: string): HostTensor {
  const dtype = proto.dtype ?? 'DT_INVALID';
  const shape = tensorProtoShape(proto);
  const count = elementCount(shape);
  const values = allocateValues(dtype, count);
  const content = proto.tensor_content;
  if (content && content.length > 0) {
    const width = contentWidth(dtype, name);
    if (content.length !== count * width) {
      throw new TensorProtoError(
        `${name}: tensor_content holds ${content.length} bytes, shape ${shapeString(shape)} needs ${count * width}`,
      );
    }
    const view = new DataView(content.buffer, content.byteOffset, content.byteLength);
    for (let i = 0; i < count; i++) (values as number[])[i] = readScalar(view, dtype, i * width);
    return { dtype, shape, values };
  }
  const listed = listedValues(proto);
  if (listed.length !== count && listed.length !== 1 && !(listed.length === 0 && count === 0)) {
    throw new TensorProtoError(`${name}: ${listed.length} values for shape ${shapeString(shape)}`);
  }
  for (let i = 0; i < count; i++) (values as unknown[])[i] = listed.length === 1 ? listed[0] : listed[i];
  return { dtype, shape, values };
}

/** Numeric values as raw `tensor_content` bytes (strings, which have no raw form, as string_val). */
export function encodeTensorContent(tensor: HostTensor): TensorProto {
  if (tensor.dtype === 'DT_STRING') return encodeTensorValues(tensor);
  const width = contentWidth(tensor.dtype, `${tensor.dtype} tensor`);
  const content = new Uint8Array(tensor.values.length * width);
  const view = new DataView(content.buffer);
  for (let i = 0; i < tensor.values.length; i++) writeScalar(view, tensor.dtype, i * width, Number(tensor.values[i]));
  return { dtype: tensor.dtype, tensor_shape: shapeProto(tensor.shape), tensor_content: content };
}

/** Values in the repeated field of their dtype (what TF Serving's gRPC answers hold). */
export function encodeTensorValues(tensor: HostTensor): TensorProto {
  const proto: TensorProto = { dtype: tensor.dtype, tensor_shape: shapeProto(tensor.shape) };
  const values = Array.from(tensor.values as ArrayLike<number | string>);
  switch (tensor.dtype) {
    case 'DT_FLOAT':
      proto.float_val = values as number[];
      break;
    case 'DT_DOUBLE':
      proto.double_val = values as number[];
      break;
    case 'DT_INT64':
      proto.int64_val = values as number[];
      break;
    case 'DT_BOOL':
      proto.bool_val = (values as number[]).map(Boolean);
      break;
    case 'DT_STRING':
      proto.string_val = (values as string[]).map((text) => Buffer.from(text, 'utf8'));
      break;
    default:
      proto.int_val = values as number[];
  }
  return proto;
}

function contentWidth(dtype: DataTypeName, name: string): number {
  const width = CONTENT_WIDTHS[dtype];
  if (!width) throw new TensorProtoError(`${name}: dtype ${dtype} is not supported`, true);
  return width;
}

function readScalar(view: DataView, dtype: DataTypeName, offset: number): number {
  switch (dtype) {
    case 'DT_FLOAT':
      return view.getFloat32(offset, true);
    case 'DT_DOUBLE':
      return view.getFloat64(offset, true);
    case 'DT_INT64':
      return Number(view.getBigInt64(offset, true));
    case 'DT_INT16':
      return view.getInt16(offset, true);
    case 'DT_INT8':
      return view.getInt8(offset);
    case 'DT_UINT8':
    case 'DT_BOOL':
      return view.getUint8(offset);
    default:
      return view.getInt32(offset, true);
  }
}

function writeScalar(view: DataView, dtype: DataTypeName, offset: number, value: number): void {
  switch (dtype) {
    case 'DT_FLOAT':
      view.setFloat32(offset, value, true);
      break;
    case 'DT_DOUBLE':
      view.setFloat64(offset, value, true);
      break;
    case 'DT_INT64':
      view.setBigInt64(offset, BigInt(value), true);
      break;
    case 'DT_INT16':
      view.setInt16(offset, value, true);
      break;
    case 'DT_INT8':
      view.setInt8(offset, value);
      break;
    case 'DT_UINT8':
    case 'DT_BOOL':
      view.setUint8(offset, value);
      break;
    default:
      view.setInt32(offset, value, true);
  }
}

function listedValues(proto: DecodedTensorProto): unknown[] {
  switch (proto.dtype) {
    case 'DT_FLOAT':
      return proto.float_val ?? [];
    case 'DT_DOUBLE':
      return proto.double_val ?? [];
    case 'DT_INT64':
      return (proto.int64_val ?? []).map(Number);
    case 'DT_BOOL':
      return (proto.bool_val ?? []).map((value) => (value ? 1 : 0));
    case 'DT_STRING':
      return (proto.string_val ?? []).map((bytes) => bytes.toString('utf8'));
    default:
      return proto.int_val ?? [];
  }
}
