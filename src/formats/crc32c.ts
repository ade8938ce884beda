/**
 * CRC32C (Castagnoli), as TensorFlow and LevelDB checksum their files, plus their "masking":
 * a CRC stored next to the data it covers is rotated and offset, so that computing the CRC of
 * bytes that themselves contain CRCs does not degenerate.
 */
// The full file name: Node's ESM resolution (the compiled package) adds no extension to a deep import.
import CRC32C from 'crc-32/crc32c.js';

const MASK_DELTA = 0xa282ead8;

/** The unsigned CRC32C of `bytes`; pass a previous result as `seed` to continue it. */
export function crc32c(bytes: Uint8Array, seed = 0): number {
  return CRC32C.buf(bytes, seed) >>> 0;
}

/** TF/LevelDB masking: rotate right by 15 bits, then add a constant (mod 2^32). */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

export function unmaskCrc(masked: number): number {
  const rotated = (masked - MASK_DELTA) >>> 0;
  return ((rotated >>> 17) | (rotated << 15)) >>> 0;
}
