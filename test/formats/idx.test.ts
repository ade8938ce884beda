import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  encodeIdx, encodeIdxImages, encodeIdxLabels, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdx, parseIdxImages, parseIdxLabels,
} from '../../src/formats/idx.ts';

const pixels = (count: number, rows = 28, cols = 28): Uint8Array => Uint8Array.from({ length: count * rows * cols }, (_, i) => (i * 7) % 256);

describe('IDX writer', () => {
  it('writes the images header as magic 0x00000803 and big-endian N, rows, cols', () => {
    const bytes = encodeIdxImages({ count: 2, rows: 28, cols: 28, data: pixels(2) });
    const view = new DataView(bytes.buffer);
    expect(view.getUint32(0)).toBe(IDX_IMAGES_MAGIC);
    expect([view.getUint32(4), view.getUint32(8), view.getUint32(12)]).toEqual([2, 28, 28]);
    expect(bytes.length).toBe(16 + 2 * 784);
  });

  it('writes the labels header as magic 0x00000801 and a big-endian count', () => {
    const bytes = encodeIdxLabels(Uint8Array.of(3, 1, 4));
    expect(Array.from(bytes)).toEqual([0, 0, 8, 1, 0, 0, 0, 3, 3, 1, 4]);
    expect(new DataView(bytes.buffer).getUint32(0)).toBe(IDX_LABELS_MAGIC);
  });

  it('refuses data whose length does not match the dimensions', () => {
    expect(() => encodeIdx({ dims: [2, 2], data: new Uint8Array(3) })).toThrow(/3 bytes.*2×2 need 4/);
  });
});

describe('IDX reader', () => {
  it('reads back what the writer wrote, raw and gzipped', () => {
    const data = pixels(3);
    for (const gzip of [false, true]) {
      const images = parseIdxImages(encodeIdxImages({ count: 3, rows: 28, cols: 28, data }, { gzip }), 'x');
      expect(images).toMatchObject({ count: 3, rows: 28, cols: 28 });
      expect(images.data).toEqual(data);
      expect(parseIdxLabels(encodeIdxLabels(Uint8Array.of(9, 0, 5), { gzip }), 'y')).toEqual(Uint8Array.of(9, 0, 5));
    }
  });

  it('returns a view into the decoded bytes rather than a copy', () => {
    const bytes = encodeIdxImages({ count: 1, rows: 28, cols: 28, data: pixels(1) });
    const images = parseIdxImages(bytes, 'x');
    expect(images.data.buffer).toBe(bytes.buffer);
    expect(images.data.byteOffset).toBe(16);
  });

  it('rejects an IDX file whose magic is not 0x803, naming the file', () => {
    const labels = encodeIdxLabels(Uint8Array.of(1));
    expect(() => parseIdxImages(labels, 'train-images-idx3-ubyte')).toThrow(
      'train-images-idx3-ubyte: wrong magic number 0x00000801, expected 0x00000803 (IDX images)',
    );
    const floats = encodeIdxLabels(Uint8Array.of(1));
    floats[2] = 0x0d;
    expect(() => parseIdxLabels(floats, 'labels')).toThrow(/labels: wrong magic number 0x00000d01, expected 0x00000801/);
  });

  it('rejects a file shorter than its header', () => {
    expect(() => parseIdxLabels(Uint8Array.of(0, 0), 'l')).toThrow('l: truncated: 2 bytes is shorter than an IDX header');
    expect(() => parseIdxImages(Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 1), 'i')).toThrow('i: truncated: the header needs 16 bytes, the file has 8');
  });

  it('rejects truncated data, saying how many bytes were expected and found', () => {
    const bytes = encodeIdxImages({ count: 2, rows: 28, cols: 28, data: pixels(2) });
    expect(() => parseIdxImages(bytes.subarray(0, bytes.length - 10), 'imgs')).toThrow(
      'imgs: truncated: dimensions 2×28×28 need 1568 data bytes, the file has 1558',
    );
  });

  it('rejects bytes left over after the data', () => {
    const bytes = encodeIdxLabels(Uint8Array.of(1, 2));
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes);
    expect(() => parseIdxLabels(longer, 'lbl')).toThrow('lbl: 3 unexpected bytes after the 2 data');
  });

  it('rejects a label outside 0–9 with its index', () => {
    expect(() => parseIdxLabels(encodeIdxLabels(Uint8Array.of(0, 9, 10)), 'train-labels-idx1-ubyte')).toThrow(
      'train-labels-idx1-ubyte: label 10 at index 2 is out of range 0–9',
    );
  });

  it('rejects images that are not 28×28', () => {
    const bytes = encodeIdxImages({ count: 1, rows: 32, cols: 32, data: pixels(1, 32, 32) });
    expect(() => parseIdxImages(bytes, 'cifar')).toThrow('cifar: unexpected image dimensions 32×32, expected 28×28');
  });

  it('rejects a corrupt or cut-off gzip stream as bad gzip', () => {
    const gz = new Uint8Array(zlib.gzipSync(encodeIdxLabels(Uint8Array.of(1, 2, 3))));
    expect(() => parseIdxLabels(gz.subarray(0, gz.length - 6), 'l.gz')).toThrow(/^l\.gz: bad gzip data \(unexpected end of file\)$/);
    const flipped = Uint8Array.from(gz);
    flipped[12] = flipped[12]! ^ 0xff;
    expect(() => parseIdxLabels(flipped, 'l.gz')).toThrow(/^l\.gz: bad gzip data/);
  });

  it('accepts any number of dimensions through the generic parser', () => {
    const bytes = encodeIdx({ dims: [2, 3], data: Uint8Array.of(1, 2, 3, 4, 5, 6) });
    expect(parseIdx(bytes, 'm', 2)).toEqual({ dims: [2, 3], data: Uint8Array.of(1, 2, 3, 4, 5, 6) });
  });
});
