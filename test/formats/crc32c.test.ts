import { describe, expect, it } from 'vitest';
import { crc32c, maskCrc, unmaskCrc } from '../../src/formats/crc32c.ts';

describe('crc32c', () => {
  it('computes the Castagnoli check value of "123456789"', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('is unsigned and continues from a seed', () => {
    const whole = crc32c(Buffer.from('hello world'));
    expect(crc32c(Buffer.from(' world'), crc32c(Buffer.from('hello')))).toBe(whole);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBeGreaterThan(0);
  });

  it('masks as LevelDB does and unmasks back', () => {
    // LevelDB's crc32c_test: Mask(c) != c, Unmask(Mask(c)) == c.
    const crc = crc32c(Buffer.from('foo'));
    expect(maskCrc(crc)).toBe((((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0);
    expect(maskCrc(crc)).not.toBe(crc);
    for (const value of [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, crc]) {
      expect(unmaskCrc(maskCrc(value))).toBe(value);
      expect(maskCrc(value)).toBeGreaterThanOrEqual(0);
    }
  });
});
