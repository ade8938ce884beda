/**
 * TFRecord framing (TF Serving's warmup file, tf.data.TFRecordDataset). Each record:
 *
 *   fixed64 LE length, fixed32 masked CRC32C of those 8 bytes, the data, fixed32 masked CRC32C of the data
 *
 * Both checksums are verified on read, so a damaged or cut file is an error naming the record.
 */
import { UserInputError } from '../errors.ts';
import { crc32c, maskCrc, unmaskCrc } from './crc32c.ts';

const HEADER_SIZE = 12;
const FOOTER_SIZE = 4;

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

export function encodeTFRecords(records: Uint8Array[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const record of records) {
    const header = Buffer.alloc(HEADER_SIZE);
    header.writeBigUInt64LE(BigInt(record.length), 0);
    header.writeUInt32LE(maskCrc(crc32c(header.subarray(0, 8))), 8);
    const footer = Buffer.alloc(FOOTER_SIZE);
    footer.writeUInt32LE(maskCrc(crc32c(record)), 0);
    chunks.push(header, record, footer);
  }
  return Buffer.concat(chunks);
}

/** The records of a TFRecord file; `source` (a path) names it in errors. */
export function decodeTFRecords(bytes: Uint8Array, source: string): Uint8Array[] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const records: Uint8Array[] = [];
  let offset = 0;
  while (offset < view.length) {
    const where = `${source}: record ${records.length} (at byte ${offset})`;
    if (offset + HEADER_SIZE > view.length)
      throw new UserInputError(`${where} is truncated: its ${HEADER_SIZE}-byte header is cut off`);
    const lengthBytes = view.subarray(offset, offset + 8);
    const storedLengthCrc = unmaskCrc(view.readUInt32LE(offset + 8));
    const lengthCrc = crc32c(lengthBytes);
    if (storedLengthCrc !== lengthCrc) {
      throw new UserInputError(
        `${where}: its length fails its checksum (stored ${hex(storedLengthCrc)}, computed ${hex(lengthCrc)})`,
      );
    }
    const length = Number(view.readBigUInt64LE(offset));
    const dataStart = offset + HEADER_SIZE;
    if (dataStart + length + FOOTER_SIZE > view.length) {
      throw new UserInputError(
        `${where} is truncated: it needs ${length + FOOTER_SIZE} bytes after its header, ` +
          `the file has ${view.length - dataStart}`,
      );
    }
    const data = view.subarray(dataStart, dataStart + length);
    const storedCrc = unmaskCrc(view.readUInt32LE(dataStart + length));
    const computed = crc32c(data);
    if (storedCrc !== computed) {
      throw new UserInputError(
        `${where}: its data fails its checksum (stored ${hex(storedCrc)}, computed ${hex(computed)})`,
      );
    }
    records.push(Uint8Array.from(data));
    offset = dataStart + length + FOOTER_SIZE;
  }
  return records;
}
