/**
 * A tensor's bytes in a bundle's data file and their checksum. Numeric tensors are their raw
 * little-endian values (this module assumes a little-endian host, as TF's own writer does).
 * DT_STRING tensors use TensorFlow's layout (tensor_bundle.cc, WriteStringTensor):
 *
 *   varint64 length of each element, fixed32 masked CRC32C of the lengths, the element bytes
 *
 * where the lengths' CRC covers each length as a little-endian uint32 (not the varints), and the
 * tensor's CRC (in its index entry) continues that CRC over the masked length CRC's 4 bytes and
 * then the element bytes.
 */
import protobuf from 'protobufjs';
import type { DataTypeName } from '../proto/types.ts';
import { crc32c, maskCrc, unmaskCrc } from '../crc32c.ts';
import { readVarint64 } from './sstable-reader.ts';

export type BundleDType = 'float32' | 'float64' | 'int32' | 'int64' | 'uint8' | 'bool' | 'string';

export type BundleData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | string[];

export const DATA_TYPE_OF: Record<BundleDType, DataTypeName> = {
  float32: 'DT_FLOAT',
  float64: 'DT_DOUBLE',
  int32: 'DT_INT32',
  int64: 'DT_INT64',
  uint8: 'DT_UINT8',
  bool: 'DT_BOOL',
  string: 'DT_STRING',
};

export const BUNDLE_DTYPE_OF: Record<string, BundleDType> = Object.fromEntries(
  Object.entries(DATA_TYPE_OF).map(([dtype, dataType]) => [dataType, dtype as BundleDType]),
);

type NumericDType = Exclude<BundleDType, 'string'>;

const ARRAY_TYPE = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  bool: Uint8Array,
} as const;

/** The typed array a numeric dtype is held in, for checking callers' data. */
export function arrayTypeOf(dtype: NumericDType): (typeof ARRAY_TYPE)[NumericDType] {
  return ARRAY_TYPE[dtype];
}

export interface EncodedTensor {
  bytes: Uint8Array;
  /** Unmasked CRC32C as TF defines it for this dtype. */
  crc: number;
}

function uint32Le(value: number): Uint8Array {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value >>> 0);
  return bytes;
}

export function encodeStrings(values: string[]): EncodedTensor {
  const elements = values.map((value) => Buffer.from(value, 'utf8'));
  const lengths = protobuf.Writer.create();
  let crc = 0;
  for (const element of elements) {
    lengths.uint64(element.length);
    crc = crc32c(uint32Le(element.length), crc);
  }
  const lengthsCrc = uint32Le(maskCrc(crc));
  crc = crc32c(lengthsCrc, crc);
  for (const element of elements) crc = crc32c(element, crc);
  return { bytes: Buffer.concat([lengths.finish(), lengthsCrc, ...elements]), crc };
}

export function encodeNumeric(data: Exclude<BundleData, string[]>): EncodedTensor {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { bytes, crc: crc32c(bytes) };
}

/** Why a string tensor's bytes do not parse, or its strings and CRC. */
export function decodeStrings(
  bytes: Uint8Array,
  count: number,
): { values: string[]; crc: number } | { problem: string } {
  const reader = protobuf.Reader.create(bytes);
  const lengths: number[] = [];
  let crc = 0;
  try {
    for (let i = 0; i < count; i += 1) {
      const length = readVarint64(reader);
      lengths.push(length);
      crc = crc32c(uint32Le(length), crc);
    }
  } catch {
    return { problem: 'its string lengths run past its bytes' };
  }
  if (reader.pos + 4 > bytes.length) return { problem: 'its string lengths run past its bytes' };
  const lengthsCrcBytes = bytes.subarray(reader.pos, reader.pos + 4);
  const storedLengthsCrc = unmaskCrc(Buffer.from(lengthsCrcBytes).readUInt32LE(0));
  if (storedLengthsCrc !== crc) return { problem: 'its string lengths fail their checksum' };
  crc = crc32c(lengthsCrcBytes, crc);
  let position = reader.pos + 4;
  const total = lengths.reduce((sum, length) => sum + length, 0);
  if (position + total !== bytes.length) {
    return { problem: `its strings take ${total} bytes but ${bytes.length - position} are stored` };
  }
  const decoder = new TextDecoder('utf-8');
  const values = lengths.map((length) => {
    const element = bytes.subarray(position, position + length);
    crc = crc32c(element, crc);
    position += length;
    return decoder.decode(element);
  });
  return { values, crc };
}

export function decodeNumeric(dtype: NumericDType, bytes: Uint8Array): Exclude<BundleData, string[]> {
  // A fresh copy: aligned to the element size, and not a view of a Buffer's shared pool.
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const ArrayType = ARRAY_TYPE[dtype];
  return new ArrayType(copy.buffer, 0, copy.length / ArrayType.BYTES_PER_ELEMENT);
}
