/** Small IDX datasets written in the tests: real files in a temp dir, contents known exactly. */
import fs from 'node:fs';
import path from 'node:path';
import { encodeIdxImages, encodeIdxLabels } from '../../src/formats/idx.ts';
import { tempDir as labelledTempDir } from '../helpers/temp-dir.ts';

export const tempDir = (): string => labelledTempDir('data');

/** Image i has every pixel equal to (i × 37 + offset) mod 256, label i mod 10. */
export function fixtureSplit(count: number, offset = 0): { images: Uint8Array; labels: Uint8Array } {
  const images = new Uint8Array(count * 784);
  for (let i = 0; i < count; i += 1) images.fill((i * 37 + offset) % 256, i * 784, (i + 1) * 784);
  return { images, labels: Uint8Array.from({ length: count }, (_, i) => i % 10) };
}

export interface FixtureDirOptions {
  train?: number;
  test?: number;
  gzip?: boolean;
}

/** Writes the four standard files into `dir` (created when missing) and returns their bytes. */
export function writeIdxDir(dir: string, options: FixtureDirOptions = {}): Record<string, Uint8Array> {
  fs.mkdirSync(dir, { recursive: true });
  const gzip = options.gzip ?? false;
  const train = fixtureSplit(options.train ?? 30);
  const test = fixtureSplit(options.test ?? 10, 100);
  const files: Record<string, Uint8Array> = {
    'train-images-idx3-ubyte': encodeIdxImages(
      { count: train.labels.length, rows: 28, cols: 28, data: train.images },
      { gzip },
    ),
    'train-labels-idx1-ubyte': encodeIdxLabels(train.labels, { gzip }),
    't10k-images-idx3-ubyte': encodeIdxImages(
      { count: test.labels.length, rows: 28, cols: 28, data: test.images },
      { gzip },
    ),
    't10k-labels-idx1-ubyte': encodeIdxLabels(test.labels, { gzip }),
  };
  const written: Record<string, Uint8Array> = {};
  for (const [base, bytes] of Object.entries(files)) {
    const name = gzip ? `${base}.gz` : base;
    fs.writeFileSync(path.join(dir, name), bytes);
    written[name] = bytes;
  }
  return written;
}
