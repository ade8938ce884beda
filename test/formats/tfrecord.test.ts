import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/errors.ts';
import { crc32c, maskCrc } from '../../src/formats/crc32c.ts';
import { decodeTFRecords, encodeTFRecords } from '../../src/formats/tfrecord.ts';
import { records } from './tfrecord-fixtures.ts';

describe('TFRecord framing', () => {
  it('frames each record as length, masked length CRC, data, masked data CRC', () => {
    const bytes = Buffer.from(encodeTFRecords([Buffer.from('abc')]));
    expect(bytes.length).toBe(8 + 4 + 3 + 4);
    expect(bytes.readBigUInt64LE(0)).toBe(3n);
    expect(bytes.readUInt32LE(8)).toBe(maskCrc(crc32c(bytes.subarray(0, 8))));
    expect(bytes.subarray(12, 15).toString()).toBe('abc');
    expect(bytes.readUInt32LE(15)).toBe(maskCrc(crc32c(Buffer.from('abc'))));
  });

  it('decodes what it encodes, including empty records and an empty file', () => {
    expect(decodeTFRecords(encodeTFRecords(records), 'r.tfrecord')).toEqual(records.map((r) => Uint8Array.from(r)));
    expect(decodeTFRecords(encodeTFRecords([]), 'r.tfrecord')).toEqual([]);
  });

  it('names the record whose length or data fails its checksum', () => {
    const bytes = encodeTFRecords(records);
    const flip = (at: number) => {
      const copy = Uint8Array.from(bytes);
      copy[at]! ^= 1;
      return copy;
    };
    const second = 12 + 5 + 4;
    expect(() => decodeTFRecords(flip(14), 'w')).toThrow(
      /^w: record 0 \(at byte 0\): its data fails its checksum \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)$/,
    );
    expect(() => decodeTFRecords(flip(second + 1), 'w')).toThrow(
      `w: record 1 (at byte ${second}): its length fails its checksum`,
    );
    expect(() => decodeTFRecords(flip(bytes.length - 1), 'w')).toThrow(/record 2 .*its data fails its checksum/);
  });

  it('reports a truncated file as such', () => {
    const bytes = encodeTFRecords(records);
    expect(() => decodeTFRecords(bytes.subarray(0, 5), 'w')).toThrow(UserInputError);
    expect(() => decodeTFRecords(bytes.subarray(0, 5), 'w')).toThrow(
      'w: record 0 (at byte 0) is truncated: its 12-byte header is cut off',
    );
    expect(() => decodeTFRecords(bytes.subarray(0, bytes.length - 1), 'w')).toThrow(
      /record 2 .* is truncated: it needs 1004 bytes after its header, the file has 1003/,
    );
  });
});
