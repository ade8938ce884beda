import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../../src/errors.ts';
import { decodeImage, IMAGE_SIZE, MAX_IMAGE_PIXELS, toMnistInput } from '../../../src/serving/client/mnist-image.ts';
import { readImageHeader } from '../../../src/serving/client/image-header.ts';
import { grayPng, jpegWithFrame, pngBomb } from '../../helpers/inflating-files.ts';

/** A width×height RGBA image: black ink (a vertical bar) on white paper, or the reverse. */
function drawBar(
  width: number,
  height: number,
  options: { inkOnWhite: boolean },
): { data: Buffer; width: number; height: number } {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const ink = x >= width * 0.2 && x < width * 0.35 && y >= height * 0.1 && y < height * 0.9;
      const value = ink === options.inkOnWhite ? 0 : 255;
      data.set([value, value, value, 255], (y * width + x) * 4);
    }
  }
  return { data, width, height };
}

function png(image: { data: Buffer; width: number; height: number }): Uint8Array {
  const out = new PNG({ width: image.width, height: image.height });
  image.data.copy(out.data);
  return PNG.sync.write(out);
}

const mass = (pixels: Float32Array) => pixels.reduce((sum, value) => sum + value, 0);

function centre(pixels: Float32Array): [number, number] {
  let [mx, my] = [0, 0];
  pixels.forEach((value, i) => {
    mx += value * ((i % IMAGE_SIZE) + 0.5);
    my += value * (Math.floor(i / IMAGE_SIZE) + 0.5);
  });
  return [mx / mass(pixels), my / mass(pixels)];
}

describe('MNIST-style preprocessing', () => {
  it('inverts a dark digit on light paper, fits it in 20x20 and centres its mass in 28x28', () => {
    const input = toMnistInput(decodeImage(png(drawBar(90, 120, { inkOnWhite: true })), 'digit.png'), 'digit.png');
    expect(input).toHaveLength(IMAGE_SIZE * IMAGE_SIZE);
    expect(Math.max(...input)).toBeGreaterThan(0.9);
    expect(input[0]).toBe(0);
    const [cx, cy] = centre(input);
    expect(Math.abs(cx - 14)).toBeLessThan(1);
    expect(Math.abs(cy - 14)).toBeLessThan(1);
    let rows = 0;
    for (let y = 0; y < IMAGE_SIZE; y++)
      if (input.subarray(y * IMAGE_SIZE, (y + 1) * IMAGE_SIZE).some((value) => value > 0.5)) rows++;
    expect(rows).toBe(20);
  });

  it('gives the same input for a light digit on black, and reads JPEG as PNG', () => {
    const fromPng = toMnistInput(decodeImage(png(drawBar(56, 56, { inkOnWhite: true })), 'a.png'), 'a.png');
    const inverted = toMnistInput(decodeImage(png(drawBar(56, 56, { inkOnWhite: false })), 'b.png'), 'b.png');
    expect(Array.from(inverted)).toEqual(Array.from(fromPng));
    const image = drawBar(56, 56, { inkOnWhite: true });
    const fromJpeg = toMnistInput(
      decodeImage(jpeg.encode({ data: image.data, width: 56, height: 56 }, 95).data, 'c.jpg'),
      'c.jpg',
    );
    const diff = fromJpeg.reduce((worst, value, i) => Math.max(worst, Math.abs(value - fromPng[i]!)), 0);
    expect(diff).toBeLessThan(0.2);
  });

  it('treats transparent pixels as paper', () => {
    const image = drawBar(40, 40, { inkOnWhite: true });
    for (let i = 0; i < image.data.length; i += 4) if (image.data[i] === 255) image.data[i + 3] = 0;
    const input = toMnistInput(decodeImage(png(image), 't.png'), 't.png');
    expect(Math.max(...input)).toBeGreaterThan(0.9);
    expect(input[0]).toBe(0);
  });

  it('finds no digit on a blank page or a flat colour, and says so rather than inventing an input', () => {
    for (const [file, value] of [
      ['blank.png', 255],
      ['black.png', 0],
      ['grey.png', 128],
    ] as const) {
      const flat = { data: Buffer.alloc(30 * 30 * 4, value), width: 30, height: 30 };
      expect(() => toMnistInput(decodeImage(png(flat), file), file)).toThrow(
        new UserInputError(`${file}: no digit found (the image is blank or one flat colour)`),
      );
    }
    const faint = drawBar(30, 30, { inkOnWhite: true });
    for (let i = 0; i < faint.data.length; i++) if (faint.data[i] === 0) faint.data[i] = 240;
    expect(() => toMnistInput(decodeImage(png(faint), 'faint.png'), 'faint.png')).toThrow('faint.png: no digit found');
  });

  it.each([
    ['bomb.png', () => pngBomb(20_000, 20_000), 'a 20000×20000 PNG (400 megapixels)'],
    ['bomb-50k.png', () => pngBomb(50_000, 50_000), 'a 50000×50000 PNG (2500 megapixels)'],
    ['huge.jpg', () => jpegWithFrame(60_000, 60_000), 'a 60000×60000 JPEG (3600 megapixels)'],
    ['large.jpg', () => jpegWithFrame(9_000, 9_000), 'a 9000×9000 JPEG (81 megapixels)'],
  ])('refuses %s from its header, before decoding: %s', (file, build, what) => {
    const bytes = build();
    expect(bytes.length).toBeLessThan(100_000);
    expect(() => decodeImage(bytes, file)).toThrow(
      new UserInputError(
        `${file}: ${what} is over the limit of ${MAX_IMAGE_PIXELS / 1e6} megapixels for a digit image; scale it down`,
      ),
    );
  });

  it('refuses an interlaced PNG whose image data inflates far past its small declared size', () => {
    const bomb = pngBomb(100, 100, { interlaced: true, zeros: 64 * 1024 ** 2 });
    expect(bomb.length).toBeLessThan(100_000);
    // The message comes from the inflate capped at the declared size (png-image-data.ts), not from a full decode.
    expect(() => decodeImage(bomb, 'adam7.png')).toThrow(
      new UserInputError(
        'adam7.png: cannot read the image ' +
          '(its interlaced image data inflates past the 20264 bytes a 100×100 image can hold)',
      ),
    );
  });

  it('still decodes a well-formed interlaced PNG', () => {
    // 2×2 in Adam7: pass 1 holds (0,0), pass 6 holds (1,0), pass 7 holds row 1; each row after a filter byte 0.
    const image = decodeImage(grayPng(2, 2, Uint8Array.of(0, 0, 0, 255, 0, 255, 0), { interlaced: true }), 'small.png');
    expect(Array.from(image.pixels)).toEqual([0, 1, 1, 0]);
  });

  it('reads the declared size of real files: a JPEG frame header after its other segments, a PNG IHDR', () => {
    const image = drawBar(56, 40, { inkOnWhite: true });
    expect(readImageHeader(jpeg.encode({ data: image.data, width: 56, height: 40 }, 90).data)).toEqual({
      format: 'JPEG',
      width: 56,
      height: 40,
    });
    expect(readImageHeader(png(image))).toEqual({ format: 'PNG', width: 56, height: 40 });
  });

  it('rejects a file that is not a PNG or JPEG, naming it', () => {
    expect(() => decodeImage(new TextEncoder().encode('hello'), 'notes.txt')).toThrow(UserInputError);
    expect(() => decodeImage(new TextEncoder().encode('hello'), 'notes.txt')).toThrow(
      'notes.txt: cannot read the image (not a PNG or JPEG file)',
    );
    expect(() => decodeImage(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0]), 'cut.png')).toThrow(
      'cut.png: cannot read the image (not a PNG or JPEG file)',
    );
    expect(() =>
      decodeImage(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), 'cut.png'),
    ).toThrow('cut.png: cannot read the image (a PNG without its IHDR header)');
    expect(() => decodeImage(Uint8Array.from([0xff, 0xd8, 0xff, 0xd9]), 'empty.jpg')).toThrow(
      'empty.jpg: cannot read the image (a JPEG without a frame header)',
    );
  });
});
