/**
 * Turns a PNG or JPEG of any size into an MNIST-like input: grayscale (transparent pixels count
 * as white paper), inverted when the background is light (MNIST digits are white on black),
 * the ink's bounding box scaled to fit 20×20 and centred by its centre of mass in 28×28, as
 * MNIST's own preprocessing did; values 0–1, row-major.
 *
 * A PNG or JPEG is small on disk whatever its declared size (a 20000×20000 PNG of one colour is
 * 400 KB), so the declared dimensions are checked against MAX_IMAGE_PIXELS before decoding.
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { UserInputError } from '../../errors.ts';
import { readImageHeader } from './image-header.ts';
import { checkInterlacedPngData } from './png-image-data.ts';

export const IMAGE_SIZE = 28;
const DIGIT_BOX = 20;

/**
 * 50 megapixels: a 48 MP phone photo of a digit fits. Measured for an 8000×6000 image: as PNG
 * 3.4 s and 485 MB peak for the whole command, as JPEG 18 s and 1.65 GB (jpeg-js alone takes 1.6 GB).
 */
export const MAX_IMAGE_PIXELS = 50_000_000;

/** The largest image file read: a 50 MP picture stored without compression (RGBA) is 200 MB. */
export const MAX_IMAGE_FILE_BYTES = 256 * 2 ** 20;

/**
 * Below this spread between the lightest and darkest pixel (0–1) the image holds no digit: blank,
 * or one flat colour.
 */
const MIN_INK_CONTRAST = 0.1;

export interface GrayImage {
  width: number;
  height: number;
  /** 0 (black) – 1 (white), row-major. */
  pixels: Float32Array;
}

export function decodeImage(bytes: Uint8Array, source: string): GrayImage {
  let header: ReturnType<typeof readImageHeader>;
  try {
    header = readImageHeader(bytes);
  } catch (error) {
    throw new UserInputError(`${source}: cannot read the image (${(error as Error).message})`);
  }
  if (header.width === 0 || header.height === 0) throw new UserInputError(`${source}: the image is empty`);
  if (header.width * header.height > MAX_IMAGE_PIXELS) {
    throw new UserInputError(
      `${source}: a ${header.width}×${header.height} ${header.format} ` +
        `(${megapixels(header.width * header.height)} megapixels) ` +
        `is over the limit of ${megapixels(MAX_IMAGE_PIXELS)} megapixels for a digit image; scale it down`,
    );
  }
  let rgba: { width: number; height: number; data: Uint8Array };
  try {
    if (header.format === 'PNG') checkInterlacedPngData(bytes);
    rgba =
      header.format === 'PNG'
        ? PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
        : jpeg.decode(bytes, {
            useTArray: true,
            formatAsRGBA: true,
            maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
            maxMemoryUsageInMB: 1024,
          });
  } catch (error) {
    throw new UserInputError(`${source}: cannot read the image (${(error as Error).message})`);
  }
  const { width, height, data } = rgba;
  const pixels = new Float32Array(width * height);
  for (let i = 0; i < pixels.length; i++) {
    const [r, g, b, a] = [data[i * 4]!, data[i * 4 + 1]!, data[i * 4 + 2]!, data[i * 4 + 3]! / 255];
    const gray = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
    pixels[i] = gray * a + (1 - a);
  }
  return { width, height, pixels };
}

/** The 28×28 MNIST-style input for a decoded image; refuses an image with no ink, which no answer would describe. */
export function toMnistInput(image: GrayImage, source: string): Float32Array {
  const ink = inkImage(image);
  const box = inkBoundingBox(ink);
  if (!box) throw new UserInputError(`${source}: no digit found (the image is blank or one flat colour)`);
  const scale = DIGIT_BOX / Math.max(box.width, box.height);
  const width = Math.max(1, Math.round(box.width * scale));
  const height = Math.max(1, Math.round(box.height * scale));
  const digit = resample(ink, box, width, height);
  const [cx, cy] = centreOfMass(digit, width, height);
  const left = clamp(Math.round(IMAGE_SIZE / 2 - cx), 0, IMAGE_SIZE - width);
  const top = clamp(Math.round(IMAGE_SIZE / 2 - cy), 0, IMAGE_SIZE - height);
  const out = new Float32Array(IMAGE_SIZE * IMAGE_SIZE);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) out[(top + y) * IMAGE_SIZE + left + x] = digit[y * width + x]!;
  return out;
}

/** Ink as high values: inverted when the border (the background) is mostly light. */
function inkImage(image: GrayImage): GrayImage {
  const { width, height, pixels } = image;
  let border = 0;
  for (let x = 0; x < width; x++) for (const y of [0, height - 1]) border += pixels[y * width + x]!;
  for (let y = 0; y < height; y++) for (const x of [0, width - 1]) border += pixels[y * width + x]!;
  const count = 2 * width + 2 * height;
  if (border / count <= 0.5) return image;
  return { width, height, pixels: pixels.map((value) => 1 - value) };
}

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

function inkBoundingBox(image: GrayImage): Box | undefined {
  let [min, max] = [1, 0];
  for (const value of image.pixels) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (max - min < MIN_INK_CONTRAST) return undefined;
  const threshold = max * 0.2;
  let [left, top, right, bottom] = [image.width, image.height, -1, -1];
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      if (image.pixels[y * image.width + x]! < threshold) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  return { left, top, width: right - left + 1, height: bottom - top + 1 };
}

/** Area-averaged resampling of `box` to width×height (4×4 bilinear samples per output pixel). */
function resample(image: GrayImage, box: Box, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  const samples = 4;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const u = box.left + ((x + (sx + 0.5) / samples) * box.width) / width - 0.5;
          const v = box.top + ((y + (sy + 0.5) / samples) * box.height) / height - 0.5;
          sum += bilinear(image, u, v);
        }
      }
      out[y * width + x] = sum / (samples * samples);
    }
  }
  return out;
}

function bilinear(image: GrayImage, u: number, v: number): number {
  const x0 = clamp(Math.floor(u), 0, image.width - 1);
  const y0 = clamp(Math.floor(v), 0, image.height - 1);
  const x1 = Math.min(x0 + 1, image.width - 1);
  const y1 = Math.min(y0 + 1, image.height - 1);
  const fx = clamp(u - x0, 0, 1);
  const fy = clamp(v - y0, 0, 1);
  const at = (x: number, y: number) => image.pixels[y * image.width + x]!;
  return (at(x0, y0) * (1 - fx) + at(x1, y0) * fx) * (1 - fy) + (at(x0, y1) * (1 - fx) + at(x1, y1) * fx) * fy;
}

function centreOfMass(pixels: Float32Array, width: number, height: number): [number, number] {
  let [mass, mx, my] = [0, 0, 0];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const value = pixels[y * width + x]!;
      mass += value;
      mx += value * (x + 0.5);
      my += value * (y + 0.5);
    }
  }
  return mass > 0 ? [mx / mass, my / mass] : [width / 2, height / 2];
}

function megapixels(pixels: number): string {
  return String(Math.round(pixels / 1e5) / 10);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
