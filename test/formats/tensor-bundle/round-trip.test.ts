import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bundleFiles,
  decodeTensorBundle,
  encodeTensorBundle,
  listTensorBundle,
  readTensorBundle,
  writeTensorBundle,
  type BundleTensor,
} from '../../../src/formats/tensor-bundle/index.ts';
import { crc32c } from '../../../src/formats/crc32c.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const everyDtype: BundleTensor[] = [
  { name: 'conv2d/kernel', dtype: 'float32', shape: [2, 3], data: new Float32Array([0.5, -1.25, 3, 1e-7, -0, 65504]) },
  { name: 'conv2d/bias', dtype: 'float32', shape: [0], data: new Float32Array([]) },
  { name: 'float64', dtype: 'float64', shape: [2], data: new Float64Array([0.1, -Math.PI]) },
  { name: 'int32', dtype: 'int32', shape: [3], data: new Int32Array([-1, 0, 2147483647]) },
  { name: 'optimizer/iter', dtype: 'int64', shape: [], data: new BigInt64Array([9007199254740993n]) },
  { name: 'uint8', dtype: 'uint8', shape: [2, 1], data: new Uint8Array([0, 255]) },
  { name: 'bool', dtype: 'bool', shape: [3], data: new Uint8Array([1, 0, 1]) },
  { name: 'strings', dtype: 'string', shape: [4], data: ['', 'a', 'héllo ✓', 'x'.repeat(300)] },
  { name: 'scalar_string', dtype: 'string', shape: [], data: ['only'] },
];

function byName(tensors: BundleTensor[]): Record<string, BundleTensor> {
  return Object.fromEntries(tensors.map((tensor) => [tensor.name, tensor]));
}

function manyTensors(count: number): BundleTensor[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `layer_${String(i).padStart(4, '0')}/a_fairly_long_variable_name_to_fill_blocks`,
    dtype: 'float32' as const,
    shape: [2],
    data: new Float32Array([i, -i]),
  }));
}

describe('tensor bundle round trip', () => {
  it('decodes what it encodes, for every dtype, scalars and empty tensors', () => {
    const { index, data } = encodeTensorBundle(everyDtype);
    const decoded = byName(decodeTensorBundle(index, data));
    expect(Object.keys(decoded).sort()).toEqual(everyDtype.map((t) => t.name).sort());
    for (const tensor of everyDtype) {
      expect(decoded[tensor.name]).toEqual(tensor);
      expect(decoded[tensor.name]!.data.constructor).toBe(tensor.data.constructor);
    }
  });

  it('returns tensors in bytewise name order', () => {
    const { index, data } = encodeTensorBundle(everyDtype);
    const names = decodeTensorBundle(index, data).map((t) => t.name);
    expect(names).toEqual([...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  });

  it('stores numeric tensors as raw little-endian bytes back to back', () => {
    const { data } = encodeTensorBundle([
      { name: 'a', dtype: 'int32', shape: [1], data: new Int32Array([0x01020304]) },
      { name: 'b', dtype: 'float32', shape: [], data: new Float32Array([1]) },
    ]);
    expect([...data]).toEqual([4, 3, 2, 1, 0x00, 0x00, 0x80, 0x3f]);
  });

  it('lays out string tensors as varint lengths, a masked length checksum, then the bytes', () => {
    const { data } = encodeTensorBundle([{ name: 's', dtype: 'string', shape: [2], data: ['ab', ''] }]);
    expect([...data.subarray(0, 2)]).toEqual([2, 0]);
    expect(Buffer.from(data.subarray(6)).toString()).toBe('ab');
    expect(data.length).toBe(8);
  });

  it('keeps more than 16 entries (several restart points) and more than one data block', () => {
    const tensors = manyTensors(500);
    const { index, data } = encodeTensorBundle(tensors);
    expect(index.length).toBeGreaterThan(3 * 4096);
    expect(decodeTensorBundle(index, data)).toEqual(tensors);
  });

  it('rejects duplicate names, empty names and data that does not fill the shape', () => {
    const t = everyDtype[0]!;
    expect(() => encodeTensorBundle([t, { ...t }])).toThrow(/duplicate tensor name conv2d\/kernel/);
    expect(() => encodeTensorBundle([{ ...t, name: '' }])).toThrow(/must not be empty/);
    expect(() => encodeTensorBundle([{ ...t, shape: [4, 2] }])).toThrow(
      /conv2d\/kernel: shape \[4, 2\] needs 8 values but data has 6/,
    );
    expect(() => encodeTensorBundle([{ ...t, dtype: 'int32' }])).toThrow(/int32 data must be a Int32Array/);
  });
});

describe('tensor bundle files', () => {
  const dir = tempDir('bundle');

  it('writes PREFIX.index and PREFIX.data-00000-of-00001 and reads them back', () => {
    const prefix = path.join(dir, 'ckpt-1');
    writeTensorBundle(prefix, everyDtype);
    expect(bundleFiles(prefix)).toEqual({ index: `${prefix}.index`, data: `${prefix}.data-00000-of-00001` });
    expect(fs.readdirSync(dir).sort()).toEqual(['ckpt-1.data-00000-of-00001', 'ckpt-1.index']);
    expect(byName(readTensorBundle(prefix))).toEqual(byName(everyDtype));
  });

  it('lists entries from the index alone, with offsets, sizes and checksums of the data', () => {
    const prefix = path.join(dir, 'listed');
    writeTensorBundle(prefix, everyDtype);
    fs.rmSync(bundleFiles(prefix).data);
    const list = listTensorBundle(prefix);
    const kernel = list.find((entry) => entry.name === 'conv2d/kernel')!;
    expect(kernel).toMatchObject({ dtype: 'float32', shape: [2, 3], size: 24 });
    const { data: bytes } = encodeTensorBundle(everyDtype);
    expect(crc32c(bytes.subarray(kernel.offset, kernel.offset + kernel.size))).toBe(kernel.crc32c);
    expect(list.find((entry) => entry.name === 'optimizer/iter')).toMatchObject({ dtype: 'int64', shape: [], size: 8 });
  });

  it('says which file is missing', () => {
    expect(() => readTensorBundle(path.join(dir, 'absent'))).toThrow(/absent\.index: no such file/);
  });
});
