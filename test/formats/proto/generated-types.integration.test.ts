import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED_DIR, generateProtoTypes } from '../../../scripts/proto-gen.ts';

import { tempDir } from '../../helpers/temp-dir.ts';

const fresh = tempDir('proto-types');

/** Every file under `dir`, by relative path, with its text. */
function tree(dir: string): Record<string, string> {
  const files = fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  return Object.fromEntries(
    files.map((entry) => {
      const file = path.join(entry.parentPath, entry.name);
      return [path.relative(dir, file), fs.readFileSync(file, 'utf8')];
    }),
  );
}

describe('src/formats/proto/generated', () => {
  it('is what `npm run proto:gen` generates from the .proto files (run it after changing one)', () => {
    generateProtoTypes(fresh);
    const committed = tree(GENERATED_DIR);
    const generated = tree(fresh);
    expect(Object.keys(committed).sort()).toEqual(Object.keys(generated).sort());
    for (const [file, text] of Object.entries(generated)) expect(committed[file], file).toBe(text);
  }, 60_000);

  it('has a type for each message the project reads or writes', () => {
    const files = Object.keys(tree(GENERATED_DIR));
    for (const type of [
      'tensorflow/SavedModel.ts',
      'tensorflow/BundleEntryProto.ts',
      'tensorflow/serving/PredictionLog.ts',
      'tensorflow/serving/PredictionService.ts',
      'inference/ModelInferRequest.ts',
    ]) {
      expect(files).toContain(type);
    }
  });
});
