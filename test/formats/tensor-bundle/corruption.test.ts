import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../../src/errors.ts';
import {
  bundleFiles,
  decodeTensorBundle,
  encodeTensorBundle,
  listTensorBundle,
  readTensorBundle,
  writeTensorBundle,
  type BundleTensor,
} from '../../../src/formats/tensor-bundle/index.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const tensors: BundleTensor[] = [
  { name: 'conv2d/kernel', dtype: 'float32', shape: [3], data: new Float32Array([1, 2, 3]) },
  { name: 'dense/bias', dtype: 'float32', shape: [2], data: new Float32Array([4, 5]) },
  { name: 'labels', dtype: 'string', shape: [2], data: ['cat', 'dog'] },
];

function corrupted(bytes: Uint8Array, at: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[at]! ^= 0x40;
  return copy;
}

function errorOf(read: () => unknown): Error {
  try {
    read();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('tensor bundle corruption', () => {
  const { index, data } = encodeTensorBundle(tensors);
  const source = { index: 'ckpt-3.index', data: 'ckpt-3.data-00000-of-00001' };

  it('names the file and the tensor whose bytes fail their checksum', () => {
    const error = errorOf(() => decodeTensorBundle(index, corrupted(data, 1), source));
    expect(error).toBeInstanceOf(UserInputError);
    expect(error.message).toMatch(
      new RegExp(
        '^ckpt-3\\.data-00000-of-00001: tensor conv2d/kernel fails its checksum ' +
          '\\(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\\)$',
      ),
    );
  });

  it('detects a flipped byte in the second tensor and in a string tensor', () => {
    expect(() => decodeTensorBundle(index, corrupted(data, 13), source)).toThrow(
      /tensor dense\/bias fails its checksum/,
    );
    expect(() => decodeTensorBundle(index, corrupted(data, data.length - 1), source)).toThrow(
      /tensor labels fails its checksum/,
    );
    expect(() => decodeTensorBundle(index, corrupted(data, 20), source)).toThrow(
      /tensor labels is corrupt: its string lengths fail their checksum/,
    );
  });

  it('detects a flipped byte anywhere in the index', () => {
    for (let at = 0; at < index.length - 8; at += 1) {
      const error = errorOf(() => decodeTensorBundle(corrupted(index, at), data, source));
      expect(error, `byte ${at}`).toBeInstanceOf(UserInputError);
      expect(error.message, `byte ${at}`).toMatch(/^ckpt-3\.index: /);
    }
    expect(() => decodeTensorBundle(corrupted(index, 5), data, source)).toThrow(
      /ckpt-3\.index: data block 0 at offset 0 fails its checksum/,
    );
  });

  it('reports a bad magic number and a truncated index', () => {
    expect(() => decodeTensorBundle(corrupted(index, index.length - 1), data, source)).toThrow(
      /ckpt-3\.index: bad magic number/,
    );
    expect(() => decodeTensorBundle(index.subarray(0, index.length - 10), data, source)).toThrow(
      /ckpt-3\.index: bad magic number/,
    );
    expect(() => decodeTensorBundle(index.subarray(0, 20), data, source)).toThrow(
      /ckpt-3\.index: 20 bytes is too short .*truncated/,
    );
    expect(() => decodeTensorBundle(new Uint8Array(0), data, source)).toThrow(/ckpt-3\.index: 0 bytes is too short/);
  });

  it('reports a truncated data file naming the tensor it cuts', () => {
    expect(() => decodeTensorBundle(index, data.subarray(0, 14), source)).toThrow(
      /ckpt-3\.data-00000-of-00001: tensor dense\/bias needs bytes 12\.\.20 but the file has 14 \(truncated\)/,
    );
  });

  it('names the real files when reading from disk, and lists only what the index says', () => {
    const prefix = path.join(tempDir('bundle-bad'), 'ckpt-3');
    writeTensorBundle(prefix, tensors);
    const files = bundleFiles(prefix);
    fs.writeFileSync(files.data, corrupted(fs.readFileSync(files.data), 0));
    expect(listTensorBundle(prefix).map((entry) => entry.name)).toEqual(['conv2d/kernel', 'dense/bias', 'labels']);
    expect(() => readTensorBundle(prefix)).toThrow(`${files.data}: tensor conv2d/kernel fails its checksum`);
    fs.writeFileSync(files.index, 'not a checkpoint at all, just some text that is long enough to hold a footer');
    expect(() => listTensorBundle(prefix)).toThrow(`${files.index}: bad magic number`);
  });
});
