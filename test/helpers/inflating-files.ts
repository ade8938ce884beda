/**
 * Hostile files built in code, small on disk but declaring or inflating to huge sizes: what a
 * user who downloads data or digit pictures from somewhere may meet.
 */
import zlib from 'node:zlib';

const ZERO_BLOCK = 16 * 1024 * 1024;
/** One gzip member of 16 MiB of zeros (about 16 KB); members concatenate into one longer stream. */
const zeroMember = (): Buffer => zlib.gzipSync(Buffer.alloc(ZERO_BLOCK), { level: 9 });

/** A gzip stream of `head` followed by at least `zeros` zero bytes, in about zeros/1000 bytes. */
export function gzipBomb(head: Uint8Array, zeros: number): Buffer {
  const member = zeroMember();
  return Buffer.concat([zlib.gzipSync(head), ...Array.from({ length: Math.ceil(zeros / ZERO_BLOCK) }, () => member)]);
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** An 8-bit grayscale PNG declaring width×height whose IDAT is `imageData` (filter bytes included), deflated. */
export function grayPng(
  width: number,
  height: number,
  imageData: Uint8Array,
  options: { interlaced?: boolean } = {},
): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, options.interlaced ? 1 : 0], 8); // 8-bit grayscale, deflate, adaptive filters, Adam7 or not
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlib.deflateSync(imageData, { level: 9 })),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

/**
 * A grayscale PNG declaring width×height whose image data is zeros (all black), up to 16 MiB of
 * them: enough to make a decoder that trusts the header allocate the whole declared image.
 */
export function pngBomb(width: number, height: number, options: { interlaced?: boolean; zeros?: number } = {}): Buffer {
  return grayPng(width, height, Buffer.alloc(options.zeros ?? Math.min((width + 1) * height, ZERO_BLOCK)), options);
}

/** A baseline JPEG whose frame header (SOF0) declares width×height, three components, then a few scan bytes. */
export function jpegWithFrame(width: number, height: number): Buffer {
  const sof = Buffer.from([
    0xff,
    0xc0,
    0x00,
    0x11,
    8,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    3,
    1,
    0x22,
    0,
    2,
    0x11,
    1,
    3,
    0x11,
    1,
  ]);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x02]),
    sof,
    Buffer.from([0xff, 0xda, 0x00, 0x02, 0, 0, 0xff, 0xd9]),
  ]);
}
