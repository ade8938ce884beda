/**
 * The Open Inference Protocol's tensor datatypes ("FP32", "INT64", "BYTES", …) against
 * TensorFlow's DataType names, and the protocol's raw byte layout shared by the REST binary
 * extension and gRPC's raw_input_contents / raw_output_contents: the flattened row-major elements,
 * little-endian, no padding; BOOL one byte each; BYTES each element as a 4-byte little-endian
 * length followed by its bytes.
 */
import os from 'node:os';
import type { DataTypeName } from '../../../formats/proto/types.ts';
import { invalidArgument, ServingError } from '../../serving-errors.ts';
import { elementCount, shapeString, type HostTensor, type TensorValues } from '../../servable/host-tensor.ts';

const V2_OF_TF: Partial<Record<DataTypeName, string>> = {
  DT_BOOL: 'BOOL',
  DT_UINT8: 'UINT8',
  DT_UINT16: 'UINT16',
  DT_UINT32: 'UINT32',
  DT_UINT64: 'UINT64',
  DT_INT8: 'INT8',
  DT_INT16: 'INT16',
  DT_INT32: 'INT32',
  DT_INT64: 'INT64',
  DT_HALF: 'FP16',
  DT_BFLOAT16: 'BF16',
  DT_FLOAT: 'FP32',
  DT_DOUBLE: 'FP64',
  DT_STRING: 'BYTES',
};
const TF_OF_V2: Record<string, DataTypeName> = Object.fromEntries(
  Object.entries(V2_OF_TF).map(([tf, v2]) => [v2, tf as DataTypeName]),
);

/** Bytes per element in the raw layout (BYTES has none: its elements carry their own length). */
const WIDTH: Record<string, number> = {
  BOOL: 1,
  UINT8: 1,
  INT8: 1,
  UINT16: 2,
  INT16: 2,
  FP16: 2,
  BF16: 2,
  UINT32: 4,
  INT32: 4,
  FP32: 4,
  UINT64: 8,
  INT64: 8,
  FP64: 8,
};

/** The protocol's name for a TensorFlow dtype; dtypes it has no name for keep TensorFlow's. */
export function v2Datatype(dtype: DataTypeName | undefined): string {
  return (dtype && V2_OF_TF[dtype]) ?? dtype ?? 'DT_INVALID';
}

export function isV2Datatype(datatype: string): boolean {
  return datatype in TF_OF_V2;
}

/** The TensorFlow dtype of a protocol datatype, or undefined for a name the protocol lacks. */
export function tfDtype(datatype: string): DataTypeName | undefined {
  return TF_OF_V2[datatype];
}

/**
 * A declared shape as element count: every dimension a non-negative integer, the product safe.
 * Checked before anything of that size is allocated or read.
 */
export function checkedElementCount(name: string, shape: readonly number[]): number {
  let count = 1;
  for (const size of shape) {
    if (!Number.isSafeInteger(size) || size < 0)
      throw invalidArgument(
        `input ${name}: shape ${shapeString(shape)} has a dimension that is not a non-negative integer`,
      );
    count *= size;
    if (!Number.isSafeInteger(count))
      throw invalidArgument(`input ${name}: shape ${shapeString(shape)} holds too many elements`);
  }
  return count;
}

/** Storage for `count` values of `dtype`: what the engine feeds (tfjs holds every integer as int32). */
function allocate(dtype: DataTypeName, count: number): TensorValues {
  if (dtype === 'DT_FLOAT') return new Float32Array(count);
  if (dtype === 'DT_DOUBLE') return new Float64Array(count);
  if (dtype === 'DT_BOOL') return new Uint8Array(count);
  if (dtype === 'DT_STRING') return new Array<string>(count).fill('');
  return new Int32Array(count);
}

/** FP32 bytes can be copied as they are when this machine's floats are little-endian too. */
const LITTLE_ENDIAN = os.endianness() === 'LE';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * A tensor from values already checked to be of the datatype's JSON/protobuf kind (numbers,
 * booleans or strings); integers must fit the engine's int32.
 */
export function tensorFromValues(
  name: string,
  datatype: string,
  shape: number[],
  values: ArrayLike<unknown>,
): HostTensor {
  const count = checkedElementCount(name, shape);
  if (values.length !== count)
    throw invalidArgument(`input ${name}: ${values.length} values for shape ${shapeString(shape)}`);
  return fill(name, datatype, shape, (i) => values[i]);
}

/** Allocates the tensor for a shape already checked against its data, and fills it from `valueAt`. */
function fill(name: string, datatype: string, shape: number[], valueAt: (index: number) => unknown): HostTensor {
  const dtype = tfDtype(datatype)!;
  const count = elementCount(shape);
  const out = allocate(dtype, count);
  if (dtype === 'DT_STRING') {
    for (let i = 0; i < count; i++) (out as string[])[i] = String(valueAt(i));
  } else if (dtype === 'DT_BOOL') {
    for (let i = 0; i < count; i++) (out as Uint8Array)[i] = valueAt(i) ? 1 : 0;
  } else {
    const numbers = out as Float32Array;
    const integer = out instanceof Int32Array;
    for (let i = 0; i < count; i++) {
      const value = Number(valueAt(i));
      if (integer && (value < INT32_MIN || value > INT32_MAX))
        throw invalidArgument(`input ${name}: value ${value} at index ${i} does not fit the engine's 32-bit integers`);
      numbers[i] = value;
    }
  }
  return { dtype, shape, values: out };
}

/** A tensor from the raw layout; the byte count is checked against the shape before decoding. */
export function tensorFromRaw(name: string, datatype: string, shape: number[], bytes: Uint8Array): HostTensor {
  const count = checkedElementCount(name, shape);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (datatype === 'BYTES') return tensorFromValues(name, datatype, shape, readLengthPrefixed(name, view, count));
  const width = WIDTH[datatype];
  const read = READERS[datatype];
  if (!width || !read)
    throw new ServingError('UNIMPLEMENTED', `input ${name}: datatype ${datatype} is not supported by this server`);
  if (bytes.byteLength !== count * width) {
    throw invalidArgument(
      `input ${name}: ${bytes.byteLength} bytes of raw data, ` +
        `shape ${shapeString(shape)} of ${datatype} needs ${count * width}`,
    );
  }
  // Images are FP32: one copy (which also aligns the floats) instead of a read per element.
  if (datatype === 'FP32' && LITTLE_ENDIAN)
    return { dtype: 'DT_FLOAT', shape, values: new Float32Array(Uint8Array.prototype.slice.call(bytes).buffer) };
  return fill(name, datatype, shape, (i) => read(view, i * width));
}

function readLengthPrefixed(name: string, view: DataView, count: number): string[] {
  const texts: string[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    if (offset + 4 > view.byteLength) throw invalidArgument(`input ${name}: raw BYTES data ends before element ${i}`);
    const length = view.getUint32(offset, true);
    offset += 4;
    if (offset + length > view.byteLength)
      throw invalidArgument(`input ${name}: raw BYTES element ${i} runs past the data`);
    texts.push(Buffer.from(view.buffer, view.byteOffset + offset, length).toString('utf8'));
    offset += length;
  }
  if (offset !== view.byteLength)
    throw invalidArgument(`input ${name}: ${view.byteLength - offset} bytes of raw BYTES data after the last element`);
  return texts;
}

type Reader = (view: DataView, offset: number) => number;
const READERS: Record<string, Reader> = {
  BOOL: (view, at) => view.getUint8(at),
  UINT8: (view, at) => view.getUint8(at),
  INT8: (view, at) => view.getInt8(at),
  UINT16: (view, at) => view.getUint16(at, true),
  INT16: (view, at) => view.getInt16(at, true),
  UINT32: (view, at) => view.getUint32(at, true),
  INT32: (view, at) => view.getInt32(at, true),
  INT64: (view, at) => Number(view.getBigInt64(at, true)),
  FP32: (view, at) => view.getFloat32(at, true),
  FP64: (view, at) => view.getFloat64(at, true),
};

type Writer = (view: DataView, offset: number, value: number) => void;
const WRITERS: Record<string, Writer> = {
  BOOL: (view, at, value) => view.setUint8(at, value ? 1 : 0),
  UINT8: (view, at, value) => view.setUint8(at, value),
  INT8: (view, at, value) => view.setInt8(at, value),
  UINT16: (view, at, value) => view.setUint16(at, value, true),
  INT16: (view, at, value) => view.setInt16(at, value, true),
  UINT32: (view, at, value) => view.setUint32(at, value, true),
  INT32: (view, at, value) => view.setInt32(at, value, true),
  INT64: (view, at, value) => view.setBigInt64(at, BigInt(value), true),
  UINT64: (view, at, value) => view.setBigUint64(at, BigInt(value), true),
  FP32: (view, at, value) => view.setFloat32(at, value, true),
  FP64: (view, at, value) => view.setFloat64(at, value, true),
};

/** An output tensor in the raw layout. */
export function rawBytes(tensor: HostTensor): Buffer {
  const datatype = v2Datatype(tensor.dtype);
  const count = elementCount(tensor.shape);
  if (datatype === 'BYTES') {
    return Buffer.concat(
      (tensor.values as string[]).flatMap((text) => {
        const bytes = Buffer.from(text, 'utf8');
        const length = Buffer.alloc(4);
        length.writeUInt32LE(bytes.length);
        return [length, bytes];
      }),
    );
  }
  if (tensor.values instanceof Float32Array && LITTLE_ENDIAN)
    return Buffer.from(tensor.values.buffer, tensor.values.byteOffset, tensor.values.byteLength);
  const width = WIDTH[datatype];
  const write = WRITERS[datatype];
  if (!width || !write)
    throw new ServingError('UNIMPLEMENTED', `an output of dtype ${tensor.dtype} cannot be sent by this server`);
  const out = Buffer.alloc(count * width);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < count; i++) write(view, i * width, tensor.values[i] as number);
  return out;
}
