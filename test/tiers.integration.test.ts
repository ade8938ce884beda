/**
 * Every test file runs in exactly one tier (vitest project), and its tier matches what it does:
 * a new file cannot fall through the tiers or slow the unit tier down unnoticed. Integration
 * because it asks vitest itself, in a child process, which files each tier selects.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from './helpers/cli.ts';

const TIERS = ['unit', 'integration', 'interop', 'e2e'] as const;
type Tier = (typeof TIERS)[number];

/** What vitest itself selects, per project: the configuration is the thing under test. */
function listedFiles(): { file: string; projectName: Tier }[] {
  const vitest = path.join(projectRoot, 'node_modules', 'vitest', 'vitest.mjs');
  const output = execFileSync(process.execPath, [vitest, 'list', '--filesOnly', '--json'], {
    cwd: projectRoot,
    encoding: 'utf8',
  });
  return (JSON.parse(output) as { file: string; projectName: Tier }[]).map(({ file, projectName }) => ({
    file: path.relative(projectRoot, file),
    projectName,
  }));
}

function testFilesOnDisk(dir = path.join(projectRoot, 'test')): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFilesOnDisk(full);
    return entry.name.endsWith('.test.ts') ? [path.relative(projectRoot, full)] : [];
  });
}

// What a file's source says about the tier it needs (helpers named as test/helpers exports them).
const needsPython = /\b(runPython|pythonTf|noPythonTf)\b/;
const runsTheCli = /\b(runCli|runOnTerminal|startServe)\b/;
// These two name what they check for; the guard test's TensorFlow import is meant to fail.
const aboutTheTiers = new Set([
  path.join('test', 'tiers.integration.test.ts'),
  path.join('test', 'helpers', 'unit-tier-guard.test.ts'),
]);
const needsEngineOrServer =
  /\b(loadTf|createEngine|runTraining|startServer|startGrpcFixture|exportVersion)\b|@tensorflow\/tfjs-node/;

describe('test tiers', () => {
  const listed = listedFiles();
  const tierOf = new Map(listed.map(({ file, projectName }) => [file, projectName]));

  it('puts every test file in exactly one tier', () => {
    const files = listed.map(({ file }) => file);
    expect(
      files.filter((file, i) => files.indexOf(file) !== i),
      'files in more than one tier',
    ).toEqual([]);
    expect([...new Set(files)].sort()).toEqual(testFilesOnDisk().sort());
    expect(new Set(listed.map(({ projectName }) => projectName))).toEqual(new Set(TIERS));
  });

  it('runs Python-judged files as interop, CLI files as e2e, and keeps the engine out of unit', () => {
    const misplaced = listed
      .filter(({ file }) => !aboutTheTiers.has(file))
      .flatMap(({ file, projectName: tier }) => {
        const source = fs.readFileSync(path.join(projectRoot, file), 'utf8');
        if (needsPython.test(source) && tier !== 'interop')
          return [`${file}: uses Python TensorFlow, so *.interop.test.ts`];
        if (runsTheCli.test(source) && tier !== 'e2e' && tier !== 'interop')
          return [`${file}: runs the CLI, so *.e2e.test.ts`];
        if (needsEngineOrServer.test(source) && tier === 'unit')
          return [`${file}: needs TensorFlow or a server, so *.integration.test.ts`];
        return [];
      });
    expect(misplaced).toEqual([]);
  });

  it('runs the guard test in the unit tier, where the guard is set up', () => {
    expect(tierOf.get(path.join('test', 'helpers', 'unit-tier-guard.test.ts'))).toBe('unit');
  });
});
