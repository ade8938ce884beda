/**
 * The pixel dimensions a PNG or JPEG declares, read from its header without decoding anything,
 * so a picture too large to decode is refused before its pixels are allocated.
 *
 * PNG: the 8-byte signature, then the IHDR chunk (length, "IHDR", width, height as uint32 BE).
 * JPEG: after SOI (FF D8), marker segments `FF xx` + a 2-byte length, until a start-of-frame
 * (SOF0–SOF15 but DHT C4, JPG C8 and DAC CC) holding precision, height, width (uint16 BE).
 */

export interface ImageHeader {
  format: 'PNG' | 'JPEG';
  width: number;
  height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The header's format and dimensions; throws an Error saying what is missing when there is none. */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (PNG_SIGNATURE.every((byte, i) => bytes[i] === byte)) {
    const ihdr = String.fromCharCode(...bytes.subarray(12, 16));
    if (bytes.length < 24 || ihdr !== 'IHDR') throw new Error('a PNG without its IHDR header');
    return { format: 'PNG', width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return { format: 'JPEG', ...jpegFrameSize(bytes, view) };
  throw new Error('not a PNG or JPEG file');
}

function jpegFrameSize(bytes: Uint8Array, view: DataView): { width: number; height: number } {
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) break;
    const marker = bytes[offset + 1]!;
    if (marker === 0xff) {
      offset += 1; // a fill byte before the marker
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // the end, or the scan data, before any frame header
    const isFrameHeader = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrameHeader && offset + 9 <= bytes.length)
      return { height: view.getUint16(offset + 5), width: view.getUint16(offset + 7) };
    offset += 2 + view.getUint16(offset + 2);
  }
  throw new Error('a JPEG without a frame header');
}
