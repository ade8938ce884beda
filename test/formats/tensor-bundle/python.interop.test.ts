import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPython } from '../../../src/runtime/python-tf.ts';
import { readTensorBundle, writeTensorBundle, type BundleTensor } from '../../../src/formats/tensor-bundle/index.ts';
import { noPythonTf } from '../../helpers/python-tf.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const LOAD_CHECKPOINT = `
import json, sys
import tensorflow as tf
reader = tf.train.load_checkpoint(sys.argv[1])
shapes = reader.get_variable_to_shape_map()
dtypes = reader.get_variable_to_dtype_map()
def plain(value):
    if value.dtype == object:
        return [b.decode('utf-8') for b in value.reshape(-1)]
    if value.dtype.kind in 'iu':
        return [str(v) for v in value.reshape(-1).tolist()]
    return value.reshape(-1).tolist()
print(json.dumps({
    name: {'shape': shapes[name], 'dtype': dtypes[name].name, 'values': plain(reader.get_tensor(name))}
    for name in shapes
}))
`;

const SAVE_V2 = `
import sys
import numpy as np
import tensorflow as tf
prefix = sys.argv[1]
names = ['conv2d/kernel', 'dense_1/bias', 'double', 'int32', 'step', 'pixels', 'flags', 'labels', 'scalar_label']
values = [
    tf.constant(np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7 - 1),
    tf.constant([0.1, -2.5e-8, 3e38], tf.float32),
    tf.constant([1 / 3], tf.float64),
    tf.constant([-2147483648, 7], tf.int32),
    tf.constant(9007199254740993, tf.int64),
    tf.constant([[0, 128, 255]], tf.uint8),
    tf.constant([True, False, True]),
    tf.constant(['', 'héllo', 'x' * 200]),
    tf.constant('one'),
]
names += ['many/%03d' % i for i in range(40)]
values += [tf.constant([float(i)]) for i in range(40)]
tf.raw_ops.SaveV2(prefix=prefix, tensor_names=names, shape_and_slices=[''] * len(names), tensors=values)
tf.train.Checkpoint(weights=tf.Variable([[1.5, -2.0]]), step=tf.Variable(12, dtype=tf.int64)).write(prefix + '-object')
# Enough entries for TensorFlow's own index to span several of its (large) data blocks.
large = ['layer_%05d/a_rather_long_variable_name_for_filling_index_blocks/kernel' % i for i in range(6000)]
tf.raw_ops.SaveV2(
    prefix=prefix + '-large', tensor_names=large, shape_and_slices=[''] * len(large),
    tensors=[tf.constant([float(i)]) for i in range(6000)],
)
`;

interface PythonTensor {
  shape: number[];
  dtype: string;
  values: (number | string | boolean)[];
}

function plainValues(tensor: BundleTensor): (number | string | boolean)[] {
  if (Array.isArray(tensor.data)) return tensor.data;
  if (tensor.dtype === 'bool') return [...tensor.data].map((value) => value === 1);
  if (tensor.data instanceof BigInt64Array) return [...tensor.data].map(String);
  if (tensor.dtype === 'int32' || tensor.dtype === 'uint8') return [...tensor.data].map(String);
  return [...tensor.data].map(Number);
}

describe.skipIf(noPythonTf)('tensor bundle interop (needs Python TensorFlow: npm run setup:python-tf)', () => {
  const dir = tempDir('bundle-interop');

  it('TensorFlow reads every tensor of a bundle we wrote, exactly, across several index blocks', () => {
    const tensors: BundleTensor[] = [
      {
        name: 'conv2d/kernel',
        dtype: 'float32',
        shape: [3, 3, 1, 2],
        data: Float32Array.from({ length: 18 }, (_, i) => Math.sin(i) / 3),
      },
      { name: 'double', dtype: 'float64', shape: [2], data: new Float64Array([Math.PI, -1e-300]) },
      { name: 'int32', dtype: 'int32', shape: [2], data: new Int32Array([-2147483648, 5]) },
      { name: 'optimizer/iter', dtype: 'int64', shape: [], data: new BigInt64Array([9007199254740993n]) },
      { name: 'pixels', dtype: 'uint8', shape: [1, 3], data: new Uint8Array([0, 128, 255]) },
      { name: 'flags', dtype: 'bool', shape: [3], data: new Uint8Array([1, 0, 1]) },
      { name: 'labels', dtype: 'string', shape: [3], data: ['', 'héllo ✓', 'y'.repeat(200)] },
      ...Array.from({ length: 300 }, (_, i) => ({
        name: `layer_${String(i).padStart(3, '0')}/long_variable_name_to_fill_several_blocks`,
        dtype: 'float32' as const,
        shape: [1],
        data: new Float32Array([i / 10]),
      })),
    ];
    const prefix = path.join(dir, 'ours');
    writeTensorBundle(prefix, tensors);
    expect(fs.statSync(`${prefix}.index`).size).toBeGreaterThan(3 * 4096);
    const seen = JSON.parse(runPython(LOAD_CHECKPOINT, [prefix])) as Record<string, PythonTensor>;
    expect(Object.keys(seen).sort()).toEqual(tensors.map((t) => t.name).sort());
    for (const tensor of tensors) {
      expect(seen[tensor.name]!.shape, tensor.name).toEqual(tensor.shape);
      expect(seen[tensor.name]!.values, tensor.name).toEqual(plainValues(tensor));
    }
    expect(seen['optimizer/iter']!.dtype).toBe('int64');
    expect(seen['labels']!.dtype).toBe('string');
    expect(seen['flags']!.dtype).toBe('bool');
  });

  it(
    'reads, exactly, what TensorFlow wrote with SaveV2 and with tf.train.Checkpoint, ' +
      'in one index block or several',
    () => {
      const prefix = path.join(dir, 'theirs');
      runPython(SAVE_V2, [prefix]);
      const tensors = Object.fromEntries(readTensorBundle(prefix).map((t) => [t.name, t]));
      expect(Object.keys(tensors)).toHaveLength(49);
      expect(tensors['conv2d/kernel']).toEqual({
        name: 'conv2d/kernel',
        dtype: 'float32',
        shape: [2, 3, 4],
        data: Float32Array.from({ length: 24 }, (_, i) => Math.fround(Math.fround(i / 7) - 1)),
      });
      expect(tensors['dense_1/bias']!.data).toEqual(new Float32Array([0.1, -2.5e-8, 3e38]));
      expect(tensors['double']!.data).toEqual(new Float64Array([1 / 3]));
      expect(tensors['int32']!.data).toEqual(new Int32Array([-2147483648, 7]));
      expect(tensors['step']).toEqual({
        name: 'step',
        dtype: 'int64',
        shape: [],
        data: new BigInt64Array([9007199254740993n]),
      });
      expect(tensors['pixels']).toEqual({
        name: 'pixels',
        dtype: 'uint8',
        shape: [1, 3],
        data: new Uint8Array([0, 128, 255]),
      });
      expect(tensors['flags']).toEqual({ name: 'flags', dtype: 'bool', shape: [3], data: new Uint8Array([1, 0, 1]) });
      expect(tensors['labels']!.data).toEqual(['', 'héllo', 'x'.repeat(200)]);
      expect(tensors['scalar_label']).toEqual({ name: 'scalar_label', dtype: 'string', shape: [], data: ['one'] });
      expect(tensors['many/039']!.data).toEqual(new Float32Array([39]));

      const object = Object.fromEntries(readTensorBundle(`${prefix}-object`).map((t) => [t.name, t]));
      expect(Object.keys(object).sort()).toEqual([
        '_CHECKPOINTABLE_OBJECT_GRAPH',
        'step/.ATTRIBUTES/VARIABLE_VALUE',
        'weights/.ATTRIBUTES/VARIABLE_VALUE',
      ]);
      expect(object['_CHECKPOINTABLE_OBJECT_GRAPH']).toMatchObject({ dtype: 'string', shape: [] });
      expect(object['weights/.ATTRIBUTES/VARIABLE_VALUE']!.data).toEqual(new Float32Array([1.5, -2]));
      expect(object['step/.ATTRIBUTES/VARIABLE_VALUE']!.data).toEqual(new BigInt64Array([12n]));

      const large = readTensorBundle(`${prefix}-large`);
      expect(fs.statSync(`${prefix}-large.index`).size).toBeGreaterThan(262144); // TF's block size
      expect(large.map((tensor) => tensor.data[0])).toEqual(Array.from({ length: 6000 }, (_, i) => i));
    },
  );
});
