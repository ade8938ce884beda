/**
 * Run as a child process by s3-store.e2e.test.ts, which kills it (-9) during the upload: publishes the
 * SavedModel in argv[3] as the next version under the s3:// base path argv[2], padded with a large
 * assets.extra file so that the upload (multipart) takes long enough to be killed in.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openModelStore } from '../../src/storage/open-model-store.ts';

const [base, source] = process.argv.slice(2) as [string, string];
await openModelStore(base).publishVersion({
  build: async (staging) => {
    fs.cpSync(source, staging, { recursive: true });
    fs.writeFileSync(path.join(staging, 'assets.extra', 'padding'), Buffer.alloc(96 << 20, 1));
  },
});
