import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPython } from '../../src/runtime/python-tf.ts';
import { readCheckpointState, writeCheckpointState } from '../../src/formats/checkpoint-state.ts';
import { writeTensorBundle } from '../../src/formats/tensor-bundle/index.ts';
import { noPythonTf } from '../helpers/python-tf.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const TF_STATE = `
import json, sys
import tensorflow as tf
ours, theirs = sys.argv[1], sys.argv[2]
state = tf.train.get_checkpoint_state(ours)
manager = tf.train.CheckpointManager(tf.train.Checkpoint(v=tf.Variable(1.0)), theirs, max_to_keep=2)
for _ in range(3):
    manager.save()
print(json.dumps({'latest': tf.train.latest_checkpoint(ours), 'all': list(state.all_model_checkpoint_paths)}))
`;

describe.skipIf(noPythonTf)('checkpoint state interop (needs Python TensorFlow: npm run setup:python-tf)', () => {
  it('tf.train.latest_checkpoint finds what ours names, and we read what CheckpointManager wrote', () => {
    const ours = tempDir('ckpt-state');
    const theirs = tempDir('ckpt-state');
    for (const name of ['ckpt-1', 'ckpt-2']) {
      writeTensorBundle(path.join(ours, name), [
        { name: 'v', dtype: 'float32', shape: [], data: new Float32Array([1]) },
      ]);
    }
    writeCheckpointState(ours, { modelCheckpointPath: 'ckpt-2', allModelCheckpointPaths: ['ckpt-1', 'ckpt-2'] });
    const seen = JSON.parse(runPython(TF_STATE, [ours, theirs])) as { latest: string; all: string[] };
    expect(seen.latest).toBe(path.join(ours, 'ckpt-2'));
    expect(seen.all).toEqual([path.join(ours, 'ckpt-1'), path.join(ours, 'ckpt-2')]);
    expect(readCheckpointState(theirs)).toEqual({
      modelCheckpointPath: 'ckpt-3',
      allModelCheckpointPaths: ['ckpt-2', 'ckpt-3'],
    });
  });
});
