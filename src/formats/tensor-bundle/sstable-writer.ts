/**
 * Writes a LevelDB-format table (TensorFlow's "SSTable"), uncompressed, the format of a tensor
 * bundle's .index file:
 *
 *   data block*  metaindex block (empty)  index block  footer (48 bytes)
 *
 * A block is its entries (varint shared key length, varint unshared length, varint value length,
 * key suffix, value), then the restart offsets (fixed32 each, a restart every 16 entries; the
 * index block restarts at every entry), then the restart count (fixed32). Each block is followed
 * by a 5-byte trailer: compression type 0 and the masked CRC32C of block + type byte.
 * The index block maps, per data block, a key ≥ its last key and < the next block's first key
 * (the shortest such) to a BlockHandle (varint64 offset, varint64 size without trailer).
 * The footer holds the metaindex and index handles, zero padding to 40 bytes, then the magic.
 * Keys must be strictly increasing bytewise; this module enforces it.
 */
import protobuf from 'protobufjs';
import { crc32c, maskCrc } from '../crc32c.ts';

export const TABLE_MAGIC_LOW = 0x8b80fb57;
export const TABLE_MAGIC_HIGH = 0xdb477524;
export const FOOTER_SIZE = 48;
export const BLOCK_TRAILER_SIZE = 5;
const DATA_RESTART_INTERVAL = 16;
const DEFAULT_BLOCK_SIZE = 4096;

export interface TableEntry {
  key: Uint8Array;
  value: Uint8Array;
}

export interface BlockHandle {
  offset: number;
  size: number;
}

/** Orders keys bytewise, as the table requires. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

class BlockBuilder {
  private readonly chunks: Uint8Array[] = [];
  private readonly restarts: number[] = [0];
  private size = 0;
  private count = 0;
  private lastKey: Uint8Array = new Uint8Array(0);

  constructor(private readonly restartInterval: number) {}

  get empty(): boolean {
    return this.count === 0;
  }

  /** Bytes the block will take once finished (without trailer). */
  get estimatedSize(): number {
    return this.size + this.restarts.length * 4 + 4;
  }

  add(key: Uint8Array, value: Uint8Array): void {
    let shared = 0;
    if (this.count % this.restartInterval === 0) {
      if (this.count > 0) this.restarts.push(this.size);
    } else {
      const max = Math.min(key.length, this.lastKey.length);
      while (shared < max && key[shared] === this.lastKey[shared]) shared += 1;
    }
    const header = protobuf.Writer.create()
      .uint32(shared)
      .uint32(key.length - shared)
      .uint32(value.length)
      .finish();
    this.chunks.push(header, key.subarray(shared), value);
    this.size += header.length + key.length - shared + value.length;
    this.lastKey = key;
    this.count += 1;
  }

  finish(): Uint8Array {
    const tail = Buffer.alloc(this.restarts.length * 4 + 4);
    this.restarts.forEach((offset, i) => tail.writeUInt32LE(offset, i * 4));
    tail.writeUInt32LE(this.restarts.length, this.restarts.length * 4);
    return Buffer.concat([...this.chunks, tail]);
  }
}

/** The shortest key k with start ≤ k < limit (LevelDB's BytewiseComparator::FindShortestSeparator). */
function shortestSeparator(start: Uint8Array, limit: Uint8Array): Uint8Array {
  const max = Math.min(start.length, limit.length);
  let diff = 0;
  while (diff < max && start[diff] === limit[diff]) diff += 1;
  if (diff < max) {
    const byte = start[diff]!;
    if (byte < 0xff && byte + 1 < limit[diff]!) {
      // A copy: keys may be Buffers, whose slice() is a view.
      const separator = Uint8Array.from(start.subarray(0, diff + 1));
      separator[diff] = byte + 1;
      return separator;
    }
  }
  return start;
}

/** The shortest key ≥ key (LevelDB's FindShortSuccessor). */
function shortSuccessor(key: Uint8Array): Uint8Array {
  for (let i = 0; i < key.length; i += 1) {
    if (key[i] !== 0xff) {
      const successor = Uint8Array.from(key.subarray(0, i + 1));
      successor[i] = key[i]! + 1;
      return successor;
    }
  }
  return key;
}

function encodeHandle(handle: BlockHandle): Uint8Array {
  return protobuf.Writer.create().uint64(handle.offset).uint64(handle.size).finish();
}

/** Builds the table bytes from entries whose keys are strictly increasing. */
export function buildTable(entries: TableEntry[], blockSize = DEFAULT_BLOCK_SIZE): Uint8Array {
  const out: Uint8Array[] = [];
  let offset = 0;
  const writeBlock = (block: BlockBuilder): BlockHandle => {
    const contents = block.finish();
    const trailer = Buffer.alloc(BLOCK_TRAILER_SIZE);
    trailer[0] = 0; // no compression
    trailer.writeUInt32LE(maskCrc(crc32c(trailer.subarray(0, 1), crc32c(contents))), 1);
    out.push(contents, trailer);
    const handle = { offset, size: contents.length };
    offset += contents.length + BLOCK_TRAILER_SIZE;
    return handle;
  };

  const index = new BlockBuilder(1);
  let data = new BlockBuilder(DATA_RESTART_INTERVAL);
  let pending: { handle: BlockHandle; lastKey: Uint8Array } | undefined;
  let previous: Uint8Array | undefined;
  for (const { key, value } of entries) {
    if (previous && compareBytes(previous, key) >= 0) {
      throw new Error(
        'table keys must be strictly increasing: ' +
          `"${Buffer.from(key).toString()}" after "${Buffer.from(previous).toString()}"`,
      );
    }
    if (pending) {
      index.add(shortestSeparator(pending.lastKey, key), encodeHandle(pending.handle));
      pending = undefined;
    }
    data.add(key, value);
    previous = key;
    if (data.estimatedSize >= blockSize) {
      pending = { handle: writeBlock(data), lastKey: key };
      data = new BlockBuilder(DATA_RESTART_INTERVAL);
    }
  }
  if (!data.empty) pending = { handle: writeBlock(data), lastKey: previous! };
  if (pending) index.add(shortSuccessor(pending.lastKey), encodeHandle(pending.handle));

  const metaindexHandle = writeBlock(new BlockBuilder(DATA_RESTART_INTERVAL));
  const indexHandle = writeBlock(index);
  const footer = Buffer.alloc(FOOTER_SIZE);
  const handles = Buffer.concat([encodeHandle(metaindexHandle), encodeHandle(indexHandle)]);
  handles.copy(footer, 0);
  footer.writeUInt32LE(TABLE_MAGIC_LOW, 40);
  footer.writeUInt32LE(TABLE_MAGIC_HIGH, 44);
  out.push(footer);
  return Buffer.concat(out);
}
