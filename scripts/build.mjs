#!/usr/bin/env node
// `npm run build` (and `prepack`): compiles src/ to dist/ with tsc (tsconfig.build.json keeps the
// layout, so paths relative to a module still resolve) and copies the .proto files beside the
// compiled loader, which reads them at run time. dist/ is rebuilt from scratch so no stale module ships.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(projectRoot, 'dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

fs.rmSync(dist, { recursive: true, force: true });
// Everything goes to stderr: `npm pack --json` runs this as prepack and its stdout must stay JSON.
const compiled = spawnSync(process.execPath, [tsc, '-p', path.join(projectRoot, 'tsconfig.build.json')], {
  stdio: ['ignore', process.stderr, process.stderr],
});
if (compiled.status !== 0) {
  fs.rmSync(dist, { recursive: true, force: true });
  process.exit(compiled.status ?? 1);
}
const src = path.join(projectRoot, 'src');
const protos = fs.readdirSync(src, { recursive: true }).filter((file) => file.endsWith('.proto'));
for (const file of protos) {
  fs.mkdirSync(path.dirname(path.join(dist, file)), { recursive: true });
  fs.copyFileSync(path.join(src, file), path.join(dist, file));
}
process.stderr.write(`built dist/ (${protos.length} .proto files copied)\n`);
