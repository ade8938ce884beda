/**
 * Reads a LevelDB-format table (layout in ./sstable-writer.ts): checks the footer magic, the
 * CRC of every block it reads, and every length against the bytes present, so a truncated or
 * corrupted .index file is an error naming the file, never a silent partial read.
 */
import protobuf from 'protobufjs';
import { UserInputError } from '../../errors.ts';
import { crc32c, unmaskCrc } from '../crc32c.ts';
import {
  BLOCK_TRAILER_SIZE,
  compareBytes,
  FOOTER_SIZE,
  TABLE_MAGIC_HIGH,
  TABLE_MAGIC_LOW,
  type BlockHandle,
  type TableEntry,
} from './sstable-writer.ts';

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

/** A varint64 as a number (bundle offsets and lengths stay far below 2^53). */
export function readVarint64(reader: protobuf.Reader): number {
  return protobuf.util.LongBits.from(reader.uint64()).toNumber(true);
}

/** Runs a protobufjs Reader over bytes, turning its out-of-range errors into `problem`. */
function parse<T>(source: string, problem: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof UserInputError) throw error;
    throw new UserInputError(`${source}: ${problem} (${(error as Error).message})`);
  }
}

function readHandle(reader: protobuf.Reader): BlockHandle {
  return { offset: readVarint64(reader), size: readVarint64(reader) };
}

function readBlock(bytes: Uint8Array, handle: BlockHandle, source: string, what: string): Uint8Array {
  const end = handle.offset + handle.size + BLOCK_TRAILER_SIZE;
  if (end > bytes.length - FOOTER_SIZE) {
    throw new UserInputError(
      `${source}: ${what} at offset ${handle.offset} runs past the end of the file (truncated or corrupt index)`,
    );
  }
  const contents = bytes.subarray(handle.offset, handle.offset + handle.size);
  const trailer = Buffer.from(bytes.buffer, bytes.byteOffset + handle.offset + handle.size, BLOCK_TRAILER_SIZE);
  if (trailer[0] !== 0) {
    throw new UserInputError(
      `${source}: ${what} uses compression type ${trailer[0]}; only uncompressed tables are supported`,
    );
  }
  const stored = unmaskCrc(trailer.readUInt32LE(1));
  const computed = crc32c(trailer.subarray(0, 1), crc32c(contents));
  if (stored !== computed) {
    throw new UserInputError(
      `${source}: ${what} at offset ${handle.offset} fails its checksum ` +
        `(stored ${hex(stored)}, computed ${hex(computed)})`,
    );
  }
  return contents;
}

/** The entries of one block, keys rebuilt from their shared prefixes. */
function blockEntries(block: Uint8Array, source: string, what: string): TableEntry[] {
  const corrupt = (detail: string) => new UserInputError(`${source}: ${what} is corrupt (${detail})`);
  if (block.length < 4) throw corrupt('shorter than its restart count');
  const view = Buffer.from(block.buffer, block.byteOffset, block.length);
  const restarts = view.readUInt32LE(block.length - 4);
  const entriesEnd = block.length - 4 - restarts * 4;
  if (restarts < 1 || entriesEnd < 0) throw corrupt(`restart count ${restarts} does not fit`);
  const entries: TableEntry[] = [];
  const reader = protobuf.Reader.create(block.subarray(0, entriesEnd));
  let lastKey: Uint8Array = new Uint8Array(0);
  parse(source, `${what} is corrupt`, () => {
    while (reader.pos < entriesEnd) {
      const shared = reader.uint32();
      const unshared = reader.uint32();
      const valueLength = reader.uint32();
      if (shared > lastKey.length || reader.pos + unshared + valueLength > entriesEnd) {
        throw corrupt(`entry ${entries.length} has lengths that do not fit`);
      }
      const key = new Uint8Array(shared + unshared);
      key.set(lastKey.subarray(0, shared));
      key.set(block.subarray(reader.pos, reader.pos + unshared), shared);
      reader.pos += unshared;
      entries.push({ key, value: block.subarray(reader.pos, reader.pos + valueLength) });
      reader.pos += valueLength;
      lastKey = key;
    }
  });
  return entries;
}

/** Every entry of the table, in key order. */
export function readTable(bytes: Uint8Array, source: string): TableEntry[] {
  if (bytes.length < FOOTER_SIZE) {
    throw new UserInputError(
      `${source}: ${bytes.length} bytes is too short for a tensor bundle index ` +
        `(truncated; needs at least its ${FOOTER_SIZE}-byte footer)`,
    );
  }
  const footer = Buffer.from(bytes.buffer, bytes.byteOffset + bytes.length - FOOTER_SIZE, FOOTER_SIZE);
  if (footer.readUInt32LE(40) !== TABLE_MAGIC_LOW || footer.readUInt32LE(44) !== TABLE_MAGIC_HIGH) {
    throw new UserInputError(`${source}: bad magic number in the footer (not a tensor bundle index, or truncated)`);
  }
  const [metaindexHandle, indexHandle] = parse(source, 'footer is corrupt', () => {
    const reader = protobuf.Reader.create(footer.subarray(0, 40));
    const handles = [readHandle(reader), readHandle(reader)] as const;
    // Writers zero-fill the rest; anything else there is damage.
    if (footer.subarray(reader.pos, 40).some((byte) => byte !== 0))
      throw new UserInputError(`${source}: footer is corrupt (padding is not zero)`);
    return handles;
  });
  // Tensor bundles keep nothing in the metaindex; it is read only to verify its checksum.
  blockEntries(readBlock(bytes, metaindexHandle, source, 'metaindex block'), source, 'metaindex block');
  const index = blockEntries(readBlock(bytes, indexHandle, source, 'index block'), source, 'index block');
  const entries: TableEntry[] = [];
  index.forEach((blockEntry, i) => {
    const handle = parse(source, `index entry ${i} is corrupt`, () =>
      readHandle(protobuf.Reader.create(blockEntry.value)),
    );
    const what = `data block ${i}`;
    for (const entry of blockEntries(readBlock(bytes, handle, source, what), source, what)) {
      const previous = entries[entries.length - 1];
      if (previous && compareBytes(previous.key, entry.key) >= 0) {
        throw new UserInputError(`${source}: ${what} is corrupt (its keys are not in increasing order)`);
      }
      entries.push(entry);
    }
  });
  return entries;
}
