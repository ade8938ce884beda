/** Looking at samples: ASCII art for a terminal, grayscale PNGs (pngjs) of one image or a grid. */
import { PNG } from 'pngjs';
import { field, fieldMessage, UserInputError } from '../errors.ts';
import type { Dataset, Split } from './types.ts';

export type SplitName = 'train' | 'test';

/** Dark to bright; each pixel is printed twice so the digit keeps its aspect ratio in a terminal. */
const RAMP = ' .:-=+*#%@';

export function splitOf(dataset: Dataset, name: SplitName): Split {
  return name === 'test' ? dataset.test : dataset.train;
}

export function checkIndex(split: Split, splitName: SplitName, index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= split.count) {
    throw new UserInputError([
      ...fieldMessage`${field('index', index)}: expected an integer from 0 to ${split.count - 1} `,
      `(the ${splitName} split has ${split.count} images)`,
    ]);
  }
}

function imageSize(dataset: Dataset): { rows: number; cols: number; pixels: number } {
  const [rows, cols] = dataset.imageShape;
  return { rows, cols, pixels: rows * cols };
}

export function imagePixels(dataset: Dataset, split: Split, index: number): Uint8Array {
  const { pixels } = imageSize(dataset);
  return split.images.subarray(index * pixels, (index + 1) * pixels);
}

/** The image as rows of text, one character pair per pixel. */
export function asciiArt(dataset: Dataset, split: Split, index: number): string[] {
  const { rows, cols } = imageSize(dataset);
  const image = imagePixels(dataset, split, index);
  return Array.from({ length: rows }, (_, r) => {
    let line = '';
    for (let c = 0; c < cols; c += 1) {
      const char = RAMP[Math.min(RAMP.length - 1, Math.floor((image[r * cols + c]! * RAMP.length) / 256))]!;
      line += char + char;
    }
    return line.trimEnd();
  });
}

/** Pixel rows as numbers, for --json. */
export function pixelRows(dataset: Dataset, split: Split, index: number): number[][] {
  const { rows, cols } = imageSize(dataset);
  const image = imagePixels(dataset, split, index);
  return Array.from({ length: rows }, (_, r) => Array.from(image.subarray(r * cols, (r + 1) * cols)));
}

/**
 * A PNG of images `indices` laid out `columns` wide, each pixel drawn as scale×scale, with a
 * mid-grey gap of `scale` pixels between images (none for a single image).
 */
export function imagesPng(
  dataset: Dataset,
  split: Split,
  indices: number[],
  columns: number,
  scale: number,
): Uint8Array {
  const { rows, cols } = imageSize(dataset);
  const gridRows = Math.ceil(indices.length / columns);
  const gap = indices.length > 1 ? scale : 0;
  const width = columns * cols * scale + (columns - 1) * gap;
  const height = gridRows * rows * scale + (gridRows - 1) * gap;
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
  png.data = Buffer.alloc(width * height, 128);
  indices.forEach((index, n) => {
    const image = imagePixels(dataset, split, index);
    const left = (n % columns) * (cols * scale + gap);
    const top = Math.floor(n / columns) * (rows * scale + gap);
    for (let y = 0; y < rows * scale; y += 1) {
      for (let x = 0; x < cols * scale; x += 1) {
        png.data[(top + y) * width + left + x] = image[Math.floor(y / scale) * cols + Math.floor(x / scale)]!;
      }
    }
  });
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
}
