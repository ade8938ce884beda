/** SHA-256 of an IDX file's content (after gunzip when it is gzipped), streamed. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { UserInputError } from '../errors.ts';

export interface ContentChecksum {
  sha256: string;
  bytes: number;
}

async function startsWithGzipMagic(file: string): Promise<boolean> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

export async function idxContentChecksum(file: string): Promise<ContentChecksum> {
  const hash = createHash('sha256');
  let bytes = 0;
  const consume = async (source: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of source) {
      hash.update(chunk);
      bytes += chunk.length;
    }
  };
  const gzipped = await startsWithGzipMagic(file);
  try {
    if (gzipped) await pipeline(fs.createReadStream(file), zlib.createGunzip(), consume);
    else await pipeline(fs.createReadStream(file), consume);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_') || /unexpected end of file|incorrect header|invalid/i.test((error as Error).message)) {
      throw new UserInputError(`${file}: bad gzip data (${(error as Error).message})`);
    }
    throw error;
  }
  return { sha256: hash.digest('hex'), bytes };
}
