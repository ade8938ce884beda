/**
 * A tensor bundle (TensorFlow's V2 checkpoint format) in memory: the .index table (key "" holds a
 * BundleHeaderProto, every other key is a tensor name holding a BundleEntryProto with dtype,
 * shape, offset, size and masked CRC32C of the tensor's bytes) and a single data shard with the
 * tensors' bytes back to back. Reading verifies every block and every tensor checksum.
 */
import { UserInputError } from '../../errors.ts';
import { decodeMessage, encodeMessage } from '../proto/index.ts';
import type {
  BundleEntryProto,
  BundleEntryProto__Output,
  BundleHeaderProto,
  BundleHeaderProto__Output,
} from '../proto/types.ts';
import { maskCrc, unmaskCrc, crc32c } from '../crc32c.ts';
import { shapeDims, shapeProto } from '../tensorflow/shape.ts';
import { elementCount } from '../tensorflow/tensor-proto.ts';
import { readTable } from './sstable-reader.ts';
import { buildTable, compareBytes, type TableEntry } from './sstable-writer.ts';
import {
  arrayTypeOf,
  BUNDLE_DTYPE_OF,
  DATA_TYPE_OF,
  decodeNumeric,
  decodeStrings,
  encodeNumeric,
  encodeStrings,
  type BundleData,
  type BundleDType,
  type EncodedTensor,
} from './tensor-bytes.ts';

export type { BundleDType } from './tensor-bytes.ts';

export interface BundleTensor {
  name: string;
  dtype: BundleDType;
  shape: number[];
  /** bool as 0/1 bytes; string elements as UTF-8 text. */
  data: BundleData;
}

export interface BundleEntryInfo {
  name: string;
  /** A DataType name such as 'DT_HALF' for dtypes this module does not read. */
  dtype: BundleDType | string;
  shape: number[];
  /** Where the tensor's bytes lie in the data file. */
  offset: number;
  size: number;
  /** The unmasked CRC32C TensorFlow stores for the tensor (of its bytes, for non-string dtypes). */
  crc32c: number;
}

export interface BundleSource {
  index: string;
  data: string;
}

/** TF's kTensorBundleVersion: readers accept producer ≥ their min_consumer (0). */
const BUNDLE_HEADER: BundleHeaderProto = { num_shards: 1, endianness: 'LITTLE', version: { producer: 1 } };

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

function encodeTensor(tensor: BundleTensor): EncodedTensor {
  const { name, dtype, shape, data } = tensor;
  if (!(dtype in DATA_TYPE_OF)) throw new Error(`tensor ${name}: unsupported dtype ${dtype}`);
  if (!shape.every((size) => Number.isInteger(size) && size >= 0)) {
    throw new Error(`tensor ${name}: shape [${shape.join(', ')}] must hold non-negative integers`);
  }
  const count = elementCount(shape);
  if (data.length !== count) {
    throw new Error(`tensor ${name}: shape [${shape.join(', ')}] needs ${count} values but data has ${data.length}`);
  }
  if (dtype === 'string') {
    if (!Array.isArray(data)) throw new Error(`tensor ${name}: string data must be a string[]`);
    return encodeStrings(data);
  }
  const ArrayType = arrayTypeOf(dtype);
  if (!(data instanceof ArrayType)) throw new Error(`tensor ${name}: ${dtype} data must be a ${ArrayType.name}`);
  return encodeNumeric(data);
}

/** Encodes tensors as a single-shard bundle: the .index and .data-00000-of-00001 bytes. */
export function encodeTensorBundle(tensors: BundleTensor[]): { index: Uint8Array; data: Uint8Array } {
  const keyed = tensors.map((tensor) => {
    if (tensor.name === '') throw new Error('tensor names must not be empty (the empty key holds the bundle header)');
    return { tensor, key: Buffer.from(tensor.name, 'utf8') };
  });
  keyed.sort((a, b) => compareBytes(a.key, b.key));
  keyed.forEach(({ tensor }, i) => {
    if (i > 0 && keyed[i - 1]!.tensor.name === tensor.name) throw new Error(`duplicate tensor name ${tensor.name}`);
  });

  const entries: TableEntry[] = [
    { key: new Uint8Array(0), value: encodeMessage('tensorflow.BundleHeaderProto', BUNDLE_HEADER) },
  ];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const { tensor, key } of keyed) {
    const { bytes, crc } = encodeTensor(tensor);
    const entry: BundleEntryProto = {
      dtype: DATA_TYPE_OF[tensor.dtype],
      shape: shapeProto(tensor.shape),
      offset,
      size: bytes.length,
      crc32c: maskCrc(crc),
    };
    entries.push({ key, value: encodeMessage('tensorflow.BundleEntryProto', entry) });
    chunks.push(bytes);
    offset += bytes.length;
  }
  return { index: buildTable(entries), data: Buffer.concat(chunks) };
}

/** The header check and the entries of an index, without reading the data file. */
export function decodeBundleIndex(index: Uint8Array, source: string): BundleEntryInfo[] {
  const [first, ...rest] = readTable(index, source);
  if (first?.key.length !== 0) throw new UserInputError(`${source}: the bundle header entry is missing`);
  const header = decodeMessage<BundleHeaderProto__Output>('tensorflow.BundleHeaderProto', first.value);
  if ((header.endianness ?? 'LITTLE') !== 'LITTLE')
    throw new UserInputError(`${source}: big-endian bundles are not supported`);
  if ((header.num_shards ?? 0) !== 1) {
    throw new UserInputError(
      `${source}: the bundle has ${header.num_shards ?? 0} data shards; only single-shard bundles are supported`,
    );
  }
  return rest.map(({ key, value }) => {
    const name = Buffer.from(key).toString('utf8');
    const entry = decodeMessage<BundleEntryProto__Output>('tensorflow.BundleEntryProto', value);
    if ((entry.slices ?? []).length > 0)
      throw new UserInputError(`${source}: tensor ${name} is stored in slices, which are not supported`);
    const dataType = entry.dtype ?? 'DT_INVALID';
    return {
      name,
      dtype: BUNDLE_DTYPE_OF[dataType] ?? dataType,
      shape: shapeDims(entry.shape) ?? [],
      offset: entry.offset ?? 0,
      size: entry.size ?? 0,
      crc32c: unmaskCrc(entry.crc32c ?? 0),
    };
  });
}

function decodeTensor(info: BundleEntryInfo, data: Uint8Array, source: string): BundleTensor {
  const fail = (problem: string) => new UserInputError(`${source}: tensor ${info.name} ${problem}`);
  if (!(info.dtype in DATA_TYPE_OF)) throw fail(`has dtype ${info.dtype}, which is not supported`);
  const dtype = info.dtype as BundleDType;
  if (info.offset + info.size > data.length) {
    throw fail(`needs bytes ${info.offset}..${info.offset + info.size} but the file has ${data.length} (truncated)`);
  }
  const bytes = data.subarray(info.offset, info.offset + info.size);
  const count = elementCount(info.shape);
  const checksum = (computed: number) => {
    if (computed !== info.crc32c)
      throw fail(`fails its checksum (stored ${hex(info.crc32c)}, computed ${hex(computed)})`);
  };
  if (dtype === 'string') {
    const decoded = decodeStrings(bytes, count);
    if ('problem' in decoded) throw fail(`is corrupt: ${decoded.problem}`);
    checksum(decoded.crc);
    return { name: info.name, dtype, shape: info.shape, data: decoded.values };
  }
  checksum(crc32c(bytes));
  const expected = count * arrayTypeOf(dtype).BYTES_PER_ELEMENT;
  if (bytes.length !== expected)
    throw fail(`has ${bytes.length} bytes but shape [${info.shape.join(', ')}] needs ${expected}`);
  return { name: info.name, dtype, shape: info.shape, data: decodeNumeric(dtype, bytes) };
}

/** Decodes and verifies a single-shard bundle; tensors come back in key (bytewise name) order. */
export function decodeTensorBundle(
  index: Uint8Array,
  data: Uint8Array,
  source: BundleSource = { index: 'PREFIX.index', data: 'PREFIX.data-00000-of-00001' },
): BundleTensor[] {
  return decodeBundleIndex(index, source.index).map((info) => decodeTensor(info, data, source.data));
}
