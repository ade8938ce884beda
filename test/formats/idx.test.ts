import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  encodeIdx,
  encodeIdxImages,
  encodeIdxLabels,
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
  MAX_IDX_ITEMS,
  readIdx,
  readIdxImages,
  readIdxLabels,
} from '../../src/formats/idx.ts';
import { gzipBomb } from '../helpers/inflating-files.ts';

const pixels = (count: number, rows = 28, cols = 28): Uint8Array =>
  Uint8Array.from({ length: count * rows * cols }, (_, i) => (i * 7) % 256);

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
  it('reads back what the writer wrote, raw and gzipped', async () => {
    const data = pixels(3);
    for (const gzip of [false, true]) {
      const images = await readIdxImages([encodeIdxImages({ count: 3, rows: 28, cols: 28, data }, { gzip })], 'x');
      expect(images).toMatchObject({ count: 3, rows: 28, cols: 28 });
      expect(images.data).toEqual(data);
      expect(await readIdxLabels([encodeIdxLabels(Uint8Array.of(9, 0, 5), { gzip })], 'y')).toEqual(
        Uint8Array.of(9, 0, 5),
      );
    }
  });

  it('reads a stream cut anywhere, even inside the header and the gzip signature', async () => {
    const labels = Uint8Array.of(1, 2, 3, 4, 5);
    for (const gzip of [false, true]) {
      const bytes = encodeIdxLabels(labels, { gzip });
      const oneByteChunks = Array.from(bytes, (byte) => Uint8Array.of(byte));
      expect(await readIdxLabels(oneByteChunks, 'l')).toEqual(labels);
    }
  });

  it('rejects an IDX file whose magic is not 0x803, naming the file', async () => {
    const labels = encodeIdxLabels(Uint8Array.of(1));
    await expect(readIdxImages([labels], 'train-images-idx3-ubyte')).rejects.toThrow(
      'train-images-idx3-ubyte: wrong magic number 0x00000801, expected 0x00000803 (IDX images)',
    );
    const floats = encodeIdxLabels(Uint8Array.of(1));
    floats[2] = 0x0d;
    await expect(readIdxLabels([floats], 'labels')).rejects.toThrow(
      /labels: wrong magic number 0x00000d01, expected 0x00000801/,
    );
  });

  it('rejects a file shorter than its header', async () => {
    await expect(readIdxLabels([Uint8Array.of(0, 0)], 'l')).rejects.toThrow(
      'l: truncated: 2 bytes is shorter than an IDX header',
    );
    await expect(readIdxImages([Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 1)], 'i')).rejects.toThrow(
      'i: truncated: the header needs 16 bytes, the file has 8',
    );
  });

  it('rejects truncated data, saying how many bytes were expected and found', async () => {
    const bytes = encodeIdxImages({ count: 2, rows: 28, cols: 28, data: pixels(2) });
    await expect(readIdxImages([bytes.subarray(0, bytes.length - 10)], 'imgs')).rejects.toThrow(
      'imgs: truncated: dimensions 2×28×28 need 1568 data bytes, the file has 1558',
    );
  });

  it('rejects bytes left over after the data', async () => {
    const bytes = encodeIdxLabels(Uint8Array.of(1, 2));
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes);
    await expect(readIdxLabels([longer], 'lbl')).rejects.toThrow(
      'lbl: the data goes on past the 2 bytes its 2 header declares (not an IDX file, or a wrong header)',
    );
  });

  it('stops reading a gzip bomb as soon as it outgrows its header', async () => {
    // 1 image declared, 2 GiB of zeros behind it in 2 MB of gzip: only the first pieces are read.
    const header = encodeIdxImages({ count: 1, rows: 28, cols: 28, data: pixels(1) });
    const bomb = gzipBomb(header, 2 * 1024 ** 3);
    expect(bomb.length).toBeLessThan(3_000_000);
    let bytesRead = 0;
    function* pieces() {
      for (let offset = 0; offset < bomb.length; offset += 16 * 1024) {
        const piece = bomb.subarray(offset, offset + 16 * 1024);
        bytesRead += piece.length;
        yield piece;
      }
    }
    await expect(readIdxImages(pieces(), 'bomb.gz')).rejects.toThrow(
      'bomb.gz: the data goes on past the 784 bytes its 1×28×28 header declares (not an IDX file, or a wrong header)',
    );
    expect(bytesRead).toBeLessThan(bomb.length / 20);
  });

  it('refuses a header declaring more items than the limit before reading any data', async () => {
    const header = new Uint8Array(16);
    new DataView(header.buffer).setUint32(0, IDX_IMAGES_MAGIC);
    new DataView(header.buffer).setUint32(4, MAX_IDX_ITEMS + 1);
    new DataView(header.buffer).setUint32(8, 28);
    new DataView(header.buffer).setUint32(12, 28);
    let pulled = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      yield header;
      for (;;) yield new Uint8Array(65536).fill(++pulled);
    }
    await expect(readIdxImages(endless(), 'huge')).rejects.toThrow(
      `huge: the header declares ${MAX_IDX_ITEMS + 1} images, ` +
        `more than the limit of ${MAX_IDX_ITEMS} per file (a wrong header, or not an MNIST-style dataset)`,
    );
    expect(pulled).toBe(0);
    const labelsHeader = Uint8Array.of(0, 0, 8, 1, 0xff, 0xff, 0xff, 0xff);
    await expect(readIdxLabels([labelsHeader], 'l')).rejects.toThrow(
      `l: the header declares 4294967295 labels, more than the limit of ${MAX_IDX_ITEMS} per file`,
    );
  });

  it('rejects a label outside 0–9 with its index', async () => {
    await expect(readIdxLabels([encodeIdxLabels(Uint8Array.of(0, 9, 10))], 'train-labels-idx1-ubyte')).rejects.toThrow(
      'train-labels-idx1-ubyte: label 10 at index 2 is out of range 0–9',
    );
  });

  it('rejects images that are not 28×28', async () => {
    const bytes = encodeIdxImages({ count: 1, rows: 32, cols: 32, data: pixels(1, 32, 32) });
    await expect(readIdxImages([bytes], 'cifar')).rejects.toThrow(
      'cifar: unexpected image dimensions 32×32, expected 28×28',
    );
  });

  it('rejects a corrupt or cut-off gzip stream as bad gzip', async () => {
    const gz = new Uint8Array(zlib.gzipSync(encodeIdxLabels(Uint8Array.of(1, 2, 3))));
    await expect(readIdxLabels([gz.subarray(0, gz.length - 6)], 'l.gz')).rejects.toThrow(
      /^l\.gz: bad gzip data \(unexpected end of file\)$/,
    );
    const flipped = Uint8Array.from(gz);
    flipped[12] = flipped[12]! ^ 0xff;
    await expect(readIdxLabels([flipped], 'l.gz')).rejects.toThrow(/^l\.gz: bad gzip data/);
  });

  it('accepts any number of dimensions through the generic reader', async () => {
    const bytes = encodeIdx({ dims: [2, 3], data: Uint8Array.of(1, 2, 3, 4, 5, 6) });
    expect(await readIdx([bytes], 'm', { itemDims: [3] })).toEqual({
      dims: [2, 3],
      data: Uint8Array.of(1, 2, 3, 4, 5, 6),
    });
  });
});
