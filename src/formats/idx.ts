/**
 * The IDX format of MNIST and Fashion-MNIST, read and written as bytes (no file system here).
 *
 * Layout (all integers big-endian):
 *   bytes 0–1  zero
 *   byte  2    element type (0x08 = unsigned byte, the only type these datasets use)
 *   byte  3    number of dimensions d
 *   then d × uint32 dimension sizes, then the elements, row-major.
 * So images are magic 0x00000803 (N, rows, cols) and labels 0x00000801 (N). The files are
 * usually distributed gzipped; a gzip stream is recognised by its 0x1f 0x8b signature.
 */
import zlib from 'node:zlib';
import { UserInputError } from '../errors.ts';

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;
const UNSIGNED_BYTE = 0x08;

export interface IdxArray {
  dims: number[];
  /** A view into the source bytes, not a copy. */
  data: Uint8Array;
}

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  data: Uint8Array;
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Returns the bytes as they are, or gunzipped when they are a gzip stream. */
export function gunzipIfNeeded(bytes: Uint8Array, file: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return zlib.gunzipSync(bytes);
  } catch (error) {
    throw new UserInputError(`${file}: bad gzip data (${(error as Error).message})`);
  }
}

/** Parses an unsigned-byte IDX array of `expectedDims` dimensions (gunzipping first if needed). */
export function parseIdx(input: Uint8Array, file: string, expectedDims: number): IdxArray {
  const bytes = gunzipIfNeeded(input, file);
  if (bytes.length < 4) throw new UserInputError(`${file}: truncated: ${bytes.length} bytes is shorter than an IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const expectedMagic = (UNSIGNED_BYTE << 8) | expectedDims;
  if (magic !== expectedMagic) {
    throw new UserInputError(
      `${file}: wrong magic number 0x${hex(magic)}, expected 0x${hex(expectedMagic)} ` +
        `(${expectedDims === 3 ? 'IDX images' : expectedDims === 1 ? 'IDX labels' : `${expectedDims}-d IDX`})`,
    );
  }
  const headerBytes = 4 + 4 * expectedDims;
  if (bytes.length < headerBytes) {
    throw new UserInputError(`${file}: truncated: the header needs ${headerBytes} bytes, the file has ${bytes.length}`);
  }
  const dims = Array.from({ length: expectedDims }, (_, i) => view.getUint32(4 + 4 * i));
  const elements = dims.reduce((a, b) => a * b, 1);
  const available = bytes.length - headerBytes;
  if (available < elements) {
    throw new UserInputError(
      `${file}: truncated: dimensions ${dims.join('×')} need ${elements} data bytes, the file has ${available}`,
    );
  }
  if (available > elements) {
    throw new UserInputError(
      `${file}: ${available - elements} unexpected bytes after the ${dims.join('×')} data (not an IDX file, or a wrong header)`,
    );
  }
  // A plain Uint8Array view (not a Node Buffer slice) over the data, whatever the input type.
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerBytes, elements) };
}

/** Parses an IDX images file and checks each image is `rows`×`cols`. */
export function parseIdxImages(input: Uint8Array, file: string, shape: { rows: number; cols: number } = { rows: 28, cols: 28 }): IdxImages {
  const { dims, data } = parseIdx(input, file, 3);
  const [count, rows, cols] = dims as [number, number, number];
  if (rows !== shape.rows || cols !== shape.cols) {
    throw new UserInputError(`${file}: unexpected image dimensions ${rows}×${cols}, expected ${shape.rows}×${shape.cols}`);
  }
  return { count, rows, cols, data };
}

/** Parses an IDX labels file and checks every label is a class index below `numClasses`. */
export function parseIdxLabels(input: Uint8Array, file: string, numClasses = 10): Uint8Array {
  const { data } = parseIdx(input, file, 1);
  for (let i = 0; i < data.length; i += 1) {
    if (data[i]! >= numClasses) {
      throw new UserInputError(`${file}: label ${data[i]} at index ${i} is out of range 0–${numClasses - 1}`);
    }
  }
  return data;
}

/** Encodes an unsigned-byte IDX array; `gzip` compresses it as the distributed files are. */
export function encodeIdx(array: IdxArray, options: { gzip?: boolean } = {}): Uint8Array {
  const elements = array.dims.reduce((a, b) => a * b, 1);
  if (array.data.length !== elements) {
    throw new Error(`IDX data has ${array.data.length} bytes, dimensions ${array.dims.join('×')} need ${elements}`);
  }
  const header = 4 + 4 * array.dims.length;
  const bytes = new Uint8Array(header + elements);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, (UNSIGNED_BYTE << 8) | array.dims.length);
  array.dims.forEach((dim, i) => view.setUint32(4 + 4 * i, dim));
  bytes.set(array.data, header);
  return options.gzip ? new Uint8Array(zlib.gzipSync(bytes)) : bytes;
}

export function encodeIdxImages(images: IdxImages, options: { gzip?: boolean } = {}): Uint8Array {
  return encodeIdx({ dims: [images.count, images.rows, images.cols], data: images.data }, options);
}

export function encodeIdxLabels(labels: Uint8Array, options: { gzip?: boolean } = {}): Uint8Array {
  return encodeIdx({ dims: [labels.length], data: labels }, options);
}

function hex(value: number): string {
  return value.toString(16).padStart(8, '0');
}
