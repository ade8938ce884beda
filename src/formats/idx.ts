/**
 * The IDX format of MNIST and Fashion-MNIST, read from a stream of bytes and written as bytes
 * (no file system here).
 *
 * Layout (all integers big-endian):
 *   bytes 0–1  zero
 *   byte  2    element type (0x08 = unsigned byte, the only type these datasets use)
 *   byte  3    number of dimensions d
 *   then d × uint32 dimension sizes, then the elements, row-major.
 * So images are magic 0x00000803 (N, rows, cols) and labels 0x00000801 (N). The files are
 * usually distributed gzipped; a gzip stream is recognised by its 0x1f 0x8b signature.
 *
 * The reader trusts nothing past the header: it checks the declared size against a limit before
 * allocating anything, then stops inflating as soon as the data outgrows that size, so a small
 * .gz that inflates to gigabytes costs no more memory than the dataset it claims to be.
 */
import { Readable, pipeline } from 'node:stream';
import zlib from 'node:zlib';
import { UserInputError } from '../errors.ts';

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;
const UNSIGNED_BYTE = 0x08;

/**
 * The most items (images or labels) one file may declare: above the largest published
 * MNIST-format split (EMNIST ByClass, 697,932 training images), and 784 MB of 28×28 images.
 */
export const MAX_IDX_ITEMS = 1_000_000;

/** Inflated in pieces this large: small enough to stop soon after the declared size, large enough to stay fast. */
const INFLATE_CHUNK_BYTES = 256 * 1024;

/** A file's bytes, in chunks: a file read stream, or `[bytes]` for bytes already in memory. */
export type ByteSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  data: Uint8Array;
}

export interface IdxShape {
  /** The dimensions after the first (the item count): [28, 28] for MNIST images, [] for labels. */
  itemDims: readonly number[];
}

/** The decompressed content of an IDX file: the chunks as they are, or gunzipped as they arrive. */
export async function* idxContent(source: ByteSource, file: string): AsyncGenerator<Uint8Array> {
  const chunks = iteratorOf(source);
  const head: Uint8Array[] = [];
  let headLength = 0;
  while (headLength < 2) {
    const next = await chunks.next();
    if (next.done) break;
    head.push(next.value);
    headLength += next.value.length;
  }
  const all = rejoin(head, chunks);
  const first = Buffer.concat(head.slice(0, 2));
  if (!(first[0] === 0x1f && first[1] === 0x8b)) {
    yield* all;
    return;
  }
  const input = Readable.from(all, { objectMode: false });
  // pipeline() destroys both streams when either fails or when our reader stops early.
  const gunzip = pipeline(input, zlib.createGunzip({ chunkSize: INFLATE_CHUNK_BYTES }), () => {});
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (error) {
    if (((error as NodeJS.ErrnoException).code ?? '').startsWith('Z_')) {
      throw new UserInputError(`${file}: bad gzip data (${(error as Error).message})`, { cause: error });
    }
    throw error;
  } finally {
    gunzip.destroy();
  }
}

/** Reads an unsigned-byte IDX array of `1 + shape.itemDims.length` dimensions (gunzipping if needed). */
export async function readIdx(source: ByteSource, file: string, shape: IdxShape): Promise<IdxArray> {
  const assembler = new IdxAssembler(file, shape);
  for await (const chunk of idxContent(source, file)) assembler.push(chunk);
  return assembler.finish();
}

/** Reads an IDX images file whose images are `rows`×`cols`. */
export async function readIdxImages(
  source: ByteSource,
  file: string,
  shape: { rows: number; cols: number } = { rows: 28, cols: 28 },
): Promise<IdxImages> {
  const { dims, data } = await readIdx(source, file, { itemDims: [shape.rows, shape.cols] });
  return { count: dims[0]!, rows: shape.rows, cols: shape.cols, data };
}

/** Reads an IDX labels file and checks every label is a class index below `numClasses`. */
export async function readIdxLabels(source: ByteSource, file: string, numClasses = 10): Promise<Uint8Array> {
  const { data } = await readIdx(source, file, { itemDims: [] });
  for (let i = 0; i < data.length; i += 1) {
    if (data[i]! >= numClasses) {
      throw new UserInputError(`${file}: label ${data[i]} at index ${i} is out of range 0–${numClasses - 1}`);
    }
  }
  return data;
}

/**
 * Takes the decompressed bytes chunk by chunk: the header first, then the data into one buffer of
 * the declared size.
 */
class IdxAssembler {
  private readonly header: Uint8Array;
  private headerLength = 0;
  private dims: number[] = [];
  private data: Uint8Array | undefined;
  private dataLength = 0;

  constructor(
    private readonly file: string,
    private readonly shape: IdxShape,
  ) {
    this.header = new Uint8Array(4 + 4 * (1 + shape.itemDims.length));
  }

  push(chunk: Uint8Array): void {
    let rest = chunk;
    if (!this.data) {
      const taken = Math.min(rest.length, this.header.length - this.headerLength);
      this.header.set(rest.subarray(0, taken), this.headerLength);
      const before = this.headerLength;
      this.headerLength += taken;
      rest = rest.subarray(taken);
      if (before < 4 && this.headerLength >= 4) this.checkMagic();
      if (this.headerLength < this.header.length) return;
      this.data = this.allocate();
    }
    if (this.dataLength + rest.length > this.data.length) {
      throw new UserInputError(
        `${this.file}: the data goes on past the ${this.data.length} bytes ` +
          `its ${this.dims.join('×')} header declares (not an IDX file, or a wrong header)`,
      );
    }
    this.data.set(rest, this.dataLength);
    this.dataLength += rest.length;
  }

  finish(): IdxArray {
    if (this.headerLength < 4)
      throw new UserInputError(`${this.file}: truncated: ${this.headerLength} bytes is shorter than an IDX header`);
    if (!this.data) {
      throw new UserInputError(
        `${this.file}: truncated: the header needs ${this.header.length} bytes, the file has ${this.headerLength}`,
      );
    }
    if (this.dataLength < this.data.length) {
      throw new UserInputError(
        `${this.file}: truncated: dimensions ${this.dims.join('×')} need ` +
          `${this.data.length} data bytes, the file has ${this.dataLength}`,
      );
    }
    return { dims: this.dims, data: this.data };
  }

  private checkMagic(): void {
    const magic = new DataView(this.header.buffer).getUint32(0);
    const rank = this.header.length / 4 - 1;
    const expected = (UNSIGNED_BYTE << 8) | rank;
    if (magic !== expected) {
      throw new UserInputError(
        `${this.file}: wrong magic number 0x${hex(magic)}, expected 0x${hex(expected)} (${rankName(rank)})`,
      );
    }
  }

  /** Checks the declared dimensions, then allocates exactly the declared data size. */
  private allocate(): Uint8Array {
    const view = new DataView(this.header.buffer);
    this.dims = Array.from({ length: this.header.length / 4 - 1 }, (_, i) => view.getUint32(4 + 4 * i));
    const [count, ...itemDims] = this.dims as [number, ...number[]];
    const what = itemName(this.dims.length);
    if (itemDims.some((dim, i) => dim !== this.shape.itemDims[i])) {
      throw new UserInputError(
        `${this.file}: unexpected ${what} dimensions ${itemDims.join('×')}, expected ${this.shape.itemDims.join('×')}`,
      );
    }
    if (count > MAX_IDX_ITEMS) {
      throw new UserInputError(
        `${this.file}: the header declares ${count} ${what}s, ` +
          `more than the limit of ${MAX_IDX_ITEMS} per file (a wrong header, or not an MNIST-style dataset)`,
      );
    }
    return new Uint8Array(this.dims.reduce((a, b) => a * b, 1));
  }
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

function iteratorOf(source: ByteSource): AsyncIterator<Uint8Array> | Iterator<Uint8Array> {
  return Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
}

async function* rejoin(
  head: Uint8Array[],
  rest: AsyncIterator<Uint8Array> | Iterator<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  try {
    yield* head;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } finally {
    // Stopped early (a refused header, too much data): close the source, e.g. the file.
    await rest.return?.();
  }
}

function rankName(rank: number): string {
  return rank === 3 ? 'IDX images' : rank === 1 ? 'IDX labels' : `${rank}-d IDX`;
}

function itemName(rank: number): string {
  return rank === 3 ? 'image' : rank === 1 ? 'label' : 'item';
}

function hex(value: number): string {
  return value.toString(16).padStart(8, '0');
}
