/**
 * The one way tests get a temporary directory: under the OS temp dir, named for the test, and
 * removed when the test file ends (test/helpers/after-each-file.ts), whatever the test did.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const created: string[] = [];

export function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mnist-serve-${label}-`));
  created.push(dir);
  return dir;
}

/**
 * Removes every directory tempDir made in this file; a child process may still be exiting, so retry.
 * Asynchronous: a large tree (an installed package) removed synchronously blocks vitest's worker RPC.
 */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(
    created.splice(0).map((dir) => fs.promises.rm(dir, { recursive: true, force: true, maxRetries: 5 })),
  );
}
