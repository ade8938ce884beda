import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OperationalError, UserInputError } from '../../src/errors.ts';
import { publishDirectoryAtomic, writeFileAtomic } from '../../src/util/atomic-write.ts';
import { tempDir } from '../helpers/temp-dir.ts';

afterEach(() => vi.restoreAllMocks());

describe('writeFileAtomic', () => {
  it('reports a parent that is a file as an OperationalError naming the final path, leaving nothing behind', () => {
    const dir = tempDir('atomic-write');
    fs.writeFileSync(path.join(dir, 'plain'), 'x');
    const target = path.join(dir, 'plain', 'out.png');
    expect(() => writeFileAtomic(target, 'data')).toThrow(OperationalError);
    expect(() => writeFileAtomic(target, 'data')).toThrow(`${target}: cannot write it (ENOTDIR: not a directory)`);
    expect(fs.readdirSync(dir)).toEqual(['plain']);
  });

  it('reports a target that is a directory as an OperationalError and removes its temporary file', () => {
    const dir = tempDir('atomic-write');
    const target = path.join(dir, 'taken');
    fs.mkdirSync(target);
    expect(() => writeFileAtomic(target, 'data')).toThrow(/taken: cannot write it \(EISDIR/);
    expect(fs.readdirSync(dir)).toEqual(['taken']);
  });

  it('sets the requested mode before the file appears', () => {
    const target = path.join(tempDir('atomic-write'), 'run.sh');
    writeFileAtomic(target, '#!/bin/sh\n', { mode: 0o755 });
    expect(fs.statSync(target).mode & 0o777).toBe(0o755);
  });
});

describe('publishDirectoryAtomic', () => {
  it('refuses an existing directory without replace as a UserInputError', async () => {
    const dir = tempDir('atomic-write');
    fs.mkdirSync(path.join(dir, '1'));
    await expect(publishDirectoryAtomic(path.join(dir, '1'), () => {})).rejects.toThrow(UserInputError);
  });

  it('puts the old directory back when the replacing rename fails', async () => {
    const dir = tempDir('atomic-write');
    const finalDir = path.join(dir, '1');
    fs.mkdirSync(finalDir);
    fs.writeFileSync(path.join(finalDir, 'saved_model.pb'), 'old');
    const realRename = fs.renameSync;
    vi.spyOn(fs, 'renameSync').mockImplementation((from, to) => {
      if (
        String(from).includes('.1.tmp-') &&
        to === finalDir &&
        fs.existsSync(path.join(String(from), 'saved_model.pb')) &&
        fs.readFileSync(path.join(String(from), 'saved_model.pb'), 'utf8') === 'new'
      ) {
        throw Object.assign(new Error(`ENOSPC: no space left on device, rename '${String(from)}' -> '${finalDir}'`), {
          code: 'ENOSPC',
        });
      }
      realRename(from, to);
    });
    const failure = publishDirectoryAtomic(
      finalDir,
      (staging) => fs.writeFileSync(path.join(staging, 'saved_model.pb'), 'new'),
      { replace: true },
    );
    await expect(failure).rejects.toThrow(`${finalDir}: cannot write it (ENOSPC: no space left on device)`);
    expect(fs.readFileSync(path.join(finalDir, 'saved_model.pb'), 'utf8')).toBe('old');
    expect(fs.readdirSync(dir)).toEqual(['1']);
  });

  it('replaces an existing directory when asked', async () => {
    const dir = tempDir('atomic-write');
    const finalDir = path.join(dir, '1');
    fs.mkdirSync(finalDir);
    fs.writeFileSync(path.join(finalDir, 'saved_model.pb'), 'old');
    await publishDirectoryAtomic(finalDir, (staging) => fs.writeFileSync(path.join(staging, 'saved_model.pb'), 'new'), {
      replace: true,
    });
    expect(fs.readFileSync(path.join(finalDir, 'saved_model.pb'), 'utf8')).toBe('new');
    expect(fs.readdirSync(dir)).toEqual(['1']);
  });
});
