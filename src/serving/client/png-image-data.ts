/**
 * pngjs bounds the inflation of a PNG's image data by its declared size, but not for interlaced
 * (Adam7) PNGs: a 100×100 interlaced PNG could inflate to gigabytes. For those, the data is
 * inflated here first under a bound of about twice the declared size, which Adam7's extra
 * filter bytes and per-pass row padding never reach.
 *
 * Layout: the 8-byte signature, then chunks of (length uint32 BE, 4-letter type, data, CRC).
 * IHDR data: width, height (uint32 BE), bit depth, colour type, compression, filter, interlace.
 */
import zlib from 'node:zlib';

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Throws an Error when an interlaced PNG's image data inflates past what its header allows. */
export function checkInterlacedPngData(bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 29 || bytes[28] !== 1) return;
  const [width, height, depth, channels] = [
    view.getUint32(16),
    view.getUint32(20),
    bytes[24]!,
    CHANNELS[bytes[25]!] ?? 4,
  ];
  const bound = 2 * (Math.ceil((width * channels * depth) / 8) + 1) * height + 64;
  const idat: Uint8Array[] = [];
  for (let offset = 8; offset + 8 <= bytes.length; ) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (type === 'IDAT') idat.push(bytes.subarray(offset + 8, Math.min(offset + 8 + length, bytes.length)));
    if (type === 'IEND') break;
    offset += 12 + length;
  }
  try {
    zlib.inflateSync(Buffer.concat(idat), { maxOutputLength: bound });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new Error(`its interlaced image data inflates past the ${bound} bytes a ${width}×${height} image can hold`);
    }
    // Corrupt data: pngjs says what is wrong with it.
  }
}
