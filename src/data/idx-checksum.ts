/** SHA-256 of an IDX file's content (after gunzip when it is gzipped), streamed. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { idxContent } from '../formats/idx.ts';

export interface ContentChecksum {
  sha256: string;
  bytes: number;
}

/** Thrown when the content outgrows `maxBytes`: the file cannot be the one pinned, so inflating stops there. */
export class ContentTooLargeError extends Error {
  override readonly name = 'ContentTooLargeError';
}

export async function idxContentChecksum(file: string, maxBytes = Number.POSITIVE_INFINITY): Promise<ContentChecksum> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of idxContent(fs.createReadStream(file), file)) {
    bytes += chunk.length;
    if (bytes > maxBytes)
      throw new ContentTooLargeError(`its content goes on past the ${maxBytes} bytes of the pinned file`);
    hash.update(chunk);
  }
  return { sha256: hash.digest('hex'), bytes };
}
