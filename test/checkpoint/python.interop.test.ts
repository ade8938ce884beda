import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/checkpoint/index.ts';
import { runPython } from '../../src/runtime/python-tf.ts';
import { train } from '../../src/training/run-training.ts';
import { noPythonTf } from '../helpers/python-tf.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { trainOptions } from '../helpers/train-options.ts';

const READ_CHECKPOINT = `
import json, sys
import numpy as np
import tensorflow as tf
reader = tf.train.load_checkpoint(sys.argv[1])
shapes = reader.get_variable_to_shape_map()
dtypes = reader.get_variable_to_dtype_map()
tensors = {name: {"shape": list(shapes[name]), "dtype": dtypes[name].name,
                  "values": np.asarray(reader.get_tensor(name)).reshape(-1).tolist()} for name in shapes}
print(json.dumps({"latest": tf.train.latest_checkpoint(sys.argv[2]), "tensors": tensors}))
`;

describe.skipIf(noPythonTf)(
  'checkpoints written by train, read by TensorFlow (needs Python TensorFlow: npm run setup:python-tf)',
  () => {
    it(
      'tf.train.load_checkpoint sees every variable, slot and counter ' + 'with exact names, shapes and values',
      async () => {
        const dir = tempDir('checkpoint-interop');
        const result = await train(trainOptions(dir, { trainSamples: 64, testSamples: 32, epochs: 1 }));
        const prefix = result.checkpoint!;
        const seen = JSON.parse(runPython(READ_CHECKPOINT, [prefix, dir])) as {
          latest: string;
          tensors: Record<string, { shape: number[]; dtype: string; values: number[] }>;
        };
        expect(path.resolve(seen.latest)).toBe(path.resolve(prefix));

        const ours = await loadCheckpoint(prefix);
        const expected = new Map<string, { shape: number[]; values: Float32Array }>();
        for (const [name, values] of ours.state.variables) {
          const shape = seen.tensors[name]?.shape ?? [];
          expected.set(name, { shape, values });
          expected.set(`optimizer/${name}/m`, { shape, values: ours.state.adam.m.get(name)! });
          expected.set(`optimizer/${name}/v`, { shape, values: ours.state.adam.v.get(name)! });
        }
        expect(Object.keys(seen.tensors).sort()).toEqual(
          [...expected.keys(), 'optimizer/iter', 'training/batch', 'training/epoch'].sort(),
        );
        expect(seen.tensors['conv2d/kernel']!.shape).toEqual([3, 3, 1, 16]);
        expect(seen.tensors['dense/kernel']!.shape).toEqual([576, 32]);
        for (const [name, { shape, values }] of expected) {
          const tensor = seen.tensors[name]!;
          expect(tensor.dtype, name).toBe('float32');
          expect(tensor.shape, name).toEqual(shape);
          expect(Float32Array.from(tensor.values), name).toEqual(values);
        }
        expect(seen.tensors['optimizer/iter']).toEqual({ shape: [], dtype: 'int64', values: [2] });
        expect(seen.tensors['training/epoch']).toEqual({ shape: [], dtype: 'int64', values: [1] });
        expect(seen.tensors['training/batch']).toEqual({ shape: [], dtype: 'int64', values: [0] });
      },
    );
  },
);
