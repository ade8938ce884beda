import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listCheckpoints, loadCheckpoint, saveCheckpoint, verifyTensors } from '../../src/checkpoint/index.ts';
import { UserInputError } from '../../src/errors.ts';
import { bundleFiles, listTensorBundle } from '../../src/formats/tensor-bundle/index.ts';
import { sampleMeta, sampleState, tempDir } from './fixtures.ts';

function savedPrefix(): string {
  return saveCheckpoint(tempDir(), sampleState(1), sampleMeta(1), 5).prefix;
}

function flipByte(file: string, offset: number): void {
  const bytes = fs.readFileSync(file);
  bytes[offset] ^= 0x40;
  fs.writeFileSync(file, bytes);
}

describe('a damaged checkpoint', () => {
  it('is refused when one byte of a tensor in the .data file changed, naming the file and the tensor', async () => {
    const prefix = savedPrefix();
    const target = listTensorBundle(prefix).find((e) => e.name === 'conv2d_1/kernel')!;
    flipByte(bundleFiles(prefix).data, target.offset + 100);
    const failure = loadCheckpoint(prefix);
    await expect(failure).rejects.toBeInstanceOf(UserInputError);
    await expect(failure).rejects.toThrow(
      /ckpt-1\.data-00000-of-00001.*conv2d_1\/kernel|conv2d_1\/kernel.*ckpt-1\.data-00000-of-00001/,
    );
  });

  it('reports the checksum status of every tensor, marking only the damaged one', () => {
    const prefix = savedPrefix();
    const target = listTensorBundle(prefix).find((e) => e.name === 'optimizer/dense/kernel/m')!;
    flipByte(bundleFiles(prefix).data, target.offset + 7);
    const bad = verifyTensors(prefix).filter((t) => t.status !== 'ok');
    expect(bad.map((t) => [t.name, t.status])).toEqual([['optimizer/dense/kernel/m', 'checksum mismatch']]);
  });

  it('names the missing .data file when only the index is left', () => {
    const prefix = savedPrefix();
    fs.rmSync(bundleFiles(prefix).data);
    expect(() => verifyTensors(prefix)).toThrow(
      `${bundleFiles(prefix).data}: no such file (is the checkpoint prefix right?)`,
    );
  });

  it('is refused when a byte of the .index file changed, naming the .index file', async () => {
    const prefix = savedPrefix();
    flipByte(bundleFiles(prefix).index, 40);
    await expect(loadCheckpoint(prefix)).rejects.toThrow(/ckpt-1\.index/);
    expect(() => verifyTensors(prefix)).toThrow(/ckpt-1\.index/);
  });

  it('is refused when the .data file was truncated', async () => {
    const prefix = savedPrefix();
    const file = bundleFiles(prefix).data;
    fs.truncateSync(file, fs.statSync(file).size - 3);
    await expect(loadCheckpoint(prefix)).rejects.toThrow(/ckpt-1\.data-00000-of-00001/);
    expect(
      verifyTensors(prefix)
        .filter((t) => t.status !== 'ok')
        .map((t) => t.status),
    ).toEqual(['out of range']);
  });

  it('is refused when the prefix names no checkpoint, naming the missing .index file', async () => {
    const prefix = savedPrefix().replace(/ckpt-1$/, 'ckpt-9');
    await expect(loadCheckpoint(prefix)).rejects.toThrow(/ckpt-9\.index: no such file/);
  });

  it('is refused when the sidecar is not JSON, naming the sidecar', async () => {
    const prefix = savedPrefix();
    fs.writeFileSync(`${prefix}.json`, '{"format": "mnist-serve-check');
    await expect(loadCheckpoint(prefix)).rejects.toThrow(/ckpt-1\.json: not valid JSON/);
    expect(listCheckpoints(prefix.replace(/\/ckpt-1$/, ''))[0]!.problem).toMatch(/not valid JSON/);
  });

  it('is refused when a tensor has the wrong shape for the model spec in its sidecar', async () => {
    const prefix = savedPrefix();
    const meta = JSON.parse(fs.readFileSync(`${prefix}.json`, 'utf8'));
    meta.spec.layers[6].units = 16;
    fs.writeFileSync(`${prefix}.json`, JSON.stringify(meta));
    await expect(loadCheckpoint(prefix)).rejects.toThrow(
      /tensor `dense\/kernel` is float32 \[576,32\], expected float32 \[576,16\]/,
    );
  });
});
