import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPython } from '../../src/runtime/python-tf.ts';
import { readCheckpointState, writeCheckpointState } from '../../src/formats/checkpoint-state.ts';
import { writeTensorBundle } from '../../src/formats/tensor-bundle/index.ts';
import { noPythonTf } from '../helpers/python-tf.ts';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ckpt-state-'));
}

describe('checkpoint state file', () => {
  it('writes the text format TensorFlow writes, with paths relative to the directory', () => {
    const dir = tempDir();
    writeCheckpointState(dir, { modelCheckpointPath: path.join(dir, 'ckpt-3'), allModelCheckpointPaths: ['ckpt-2', path.join(dir, 'ckpt-3')] });
    expect(fs.readFileSync(path.join(dir, 'checkpoint'), 'utf8')).toBe(
      'model_checkpoint_path: "ckpt-3"\nall_model_checkpoint_paths: "ckpt-2"\nall_model_checkpoint_paths: "ckpt-3"\n',
    );
    expect(readCheckpointState(dir)).toEqual({ modelCheckpointPath: 'ckpt-3', allModelCheckpointPaths: ['ckpt-2', 'ckpt-3'] });
    expect(fs.readdirSync(dir)).toEqual(['checkpoint']);
  });

  it('returns null for a directory without a state file', () => {
    expect(readCheckpointState(tempDir())).toBeNull();
    expect(readCheckpointState(path.join(tempDir(), 'missing'))).toBeNull();
  });

  it('ignores the timestamps TensorFlow adds and reads quoted paths with escapes', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'checkpoint'), [
      'model_checkpoint_path: "my \\"run\\"/ckpt-9"',
      'all_model_checkpoint_paths: "my \\"run\\"/ckpt-9"',
      'all_model_checkpoint_timestamps: 1732582345.123',
      'last_preserved_timestamp: 1732582000.5',
      '',
    ].join('\n'));
    expect(readCheckpointState(dir)).toEqual({ modelCheckpointPath: 'my "run"/ckpt-9', allModelCheckpointPaths: ['my "run"/ckpt-9'] });
  });

  it('rejects a state file without a latest path, naming the file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'checkpoint');
    fs.writeFileSync(file, 'all_model_checkpoint_paths: "ckpt-1"\n');
    expect(() => readCheckpointState(dir)).toThrow(`${file}: expected exactly one non-empty model_checkpoint_path, found 0`);
    fs.writeFileSync(file, 'model_checkpoint_path: 7\n');
    expect(() => readCheckpointState(dir)).toThrow(`${file}: field model_checkpoint_path must be a quoted string`);
    fs.writeFileSync(file, 'model_checkpoint_path "x"\n');
    expect(() => readCheckpointState(dir)).toThrow(`${file}:1:23: expected ":" or "{" after field model_checkpoint_path`);
  });
});

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
    const ours = tempDir();
    const theirs = tempDir();
    for (const name of ['ckpt-1', 'ckpt-2']) {
      writeTensorBundle(path.join(ours, name), [{ name: 'v', dtype: 'float32', shape: [], data: new Float32Array([1]) }]);
    }
    writeCheckpointState(ours, { modelCheckpointPath: 'ckpt-2', allModelCheckpointPaths: ['ckpt-1', 'ckpt-2'] });
    const seen = JSON.parse(runPython(TF_STATE, [ours, theirs])) as { latest: string; all: string[] };
    expect(seen.latest).toBe(path.join(ours, 'ckpt-2'));
    expect(seen.all).toEqual([path.join(ours, 'ckpt-1'), path.join(ours, 'ckpt-2')]);
    expect(readCheckpointState(theirs)).toEqual({ modelCheckpointPath: 'ckpt-3', allModelCheckpointPaths: ['ckpt-2', 'ckpt-3'] });
  });
});
