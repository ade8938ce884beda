import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpointState, writeCheckpointState } from '../../src/formats/checkpoint-state.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('checkpoint state file', () => {
  it('writes the text format TensorFlow writes, with paths relative to the directory', () => {
    const dir = tempDir('ckpt-state');
    writeCheckpointState(dir, {
      modelCheckpointPath: path.join(dir, 'ckpt-3'),
      allModelCheckpointPaths: ['ckpt-2', path.join(dir, 'ckpt-3')],
    });
    expect(fs.readFileSync(path.join(dir, 'checkpoint'), 'utf8')).toBe(
      'model_checkpoint_path: "ckpt-3"\nall_model_checkpoint_paths: "ckpt-2"\nall_model_checkpoint_paths: "ckpt-3"\n',
    );
    expect(readCheckpointState(dir)).toEqual({
      modelCheckpointPath: 'ckpt-3',
      allModelCheckpointPaths: ['ckpt-2', 'ckpt-3'],
    });
    expect(fs.readdirSync(dir)).toEqual(['checkpoint']);
  });

  it('returns null for a directory without a state file', () => {
    expect(readCheckpointState(tempDir('ckpt-state'))).toBeNull();
    expect(readCheckpointState(path.join(tempDir('ckpt-state'), 'missing'))).toBeNull();
  });

  it('ignores the timestamps TensorFlow adds and reads quoted paths with escapes', () => {
    const dir = tempDir('ckpt-state');
    fs.writeFileSync(
      path.join(dir, 'checkpoint'),
      [
        'model_checkpoint_path: "my \\"run\\"/ckpt-9"',
        'all_model_checkpoint_paths: "my \\"run\\"/ckpt-9"',
        'all_model_checkpoint_timestamps: 1732582345.123',
        'last_preserved_timestamp: 1732582000.5',
        '',
      ].join('\n'),
    );
    expect(readCheckpointState(dir)).toEqual({
      modelCheckpointPath: 'my "run"/ckpt-9',
      allModelCheckpointPaths: ['my "run"/ckpt-9'],
    });
  });

  it('rejects a state file without a latest path, naming the file', () => {
    const dir = tempDir('ckpt-state');
    const file = path.join(dir, 'checkpoint');
    fs.writeFileSync(file, 'all_model_checkpoint_paths: "ckpt-1"\n');
    expect(() => readCheckpointState(dir)).toThrow(
      `${file}: expected exactly one non-empty model_checkpoint_path, found 0`,
    );
    fs.writeFileSync(file, 'model_checkpoint_path: 7\n');
    expect(() => readCheckpointState(dir)).toThrow(`${file}: field model_checkpoint_path must be a quoted string`);
    fs.writeFileSync(file, 'model_checkpoint_path "x"\n');
    expect(() => readCheckpointState(dir)).toThrow(
      `${file}:1:23: expected ":" or "{" after field model_checkpoint_path`,
    );
  });
});
