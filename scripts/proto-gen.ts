/**
 * `npm run proto:gen`: regenerate src/formats/proto/generated/ — the TypeScript types of every
 * message and service in the project's .proto files — with @grpc/proto-loader's generator, under
 * the options our one protobufjs loader decodes with (field names as written, enums as names,
 * int64 as numbers, absent repeated fields and maps as empty). Only the per-package type files
 * are kept: the per-file root types describe proto-loader's package objects, which we don't use.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROTO_FILES, PROTO_ROOT } from '../src/formats/proto/index.ts';

export const GENERATED_DIR = path.join(PROTO_ROOT, 'generated');

const GENERATOR = createRequire(import.meta.url).resolve('@grpc/proto-loader/build/bin/proto-loader-gen-types.js');
const OPTIONS = [
  '--keepCase',
  '--longs=Number',
  '--enums=String',
  '--arrays',
  '--objects',
  '--oneofs',
  '--grpcLib=@grpc/grpc-js',
  '--importFileExtension=.ts',
];

/** Writes the generated types into `outDir` (replacing what it held). */
export function generateProtoTypes(outDir: string): void {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'proto-gen-'));
  try {
    // Run from PROTO_ROOT with `-I .` so each file names its .proto by import path, not by this checkout's path.
    execFileSync(process.execPath, [GENERATOR, ...OPTIONS, '-I', '.', '-O', scratch, ...PROTO_FILES], {
      cwd: PROTO_ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir, { recursive: true });
    for (const entry of fs.readdirSync(scratch, { withFileTypes: true })) {
      if (entry.isDirectory())
        fs.cpSync(path.join(scratch, entry.name), path.join(outDir, entry.name), { recursive: true });
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  generateProtoTypes(GENERATED_DIR);
  process.stdout.write(`wrote ${path.relative(process.cwd(), GENERATED_DIR)}\n`);
}
