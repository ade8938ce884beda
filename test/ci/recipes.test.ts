/**
 * The CI recipes in examples/ci/ cannot rot: their commands run here, in order, in a clean copy of
 * the repository, against a local directory standing in for the production base path. A first
 * run publishes version 1; a second, deliberately worse candidate (fewer training samples, set
 * through the recipe's own variables) is refused by the baseline gate and publishes nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDatasetCacheRoot } from '../../src/data/cache-dir.ts';
import { brokenLinks } from '../helpers/markdown-links.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import {
  cleanCopy,
  githubEnv,
  githubSteps,
  gitlabEnv,
  gitlabSteps,
  INSTALL_COMMAND,
  readRecipe,
  runSteps,
  type StepResult,
} from './recipe-runner.ts';

const REPORT_DIR = 'model-report';
const EXPORT_COMMAND = /mnist-serve export /;

/** What a project would set in its CI settings; small models so the test stays quick. */
function settings(production: string, trainSamples: number): Record<string, string> {
  // A floor the worse candidate still clears, so that what refuses it is the baseline gate.
  return {
    MODEL_BASE_PATH: production,
    TRAIN_EPOCHS: '1',
    TRAIN_SAMPLES: String(trainSamples),
    MIN_ACCURACY: '0.05',
    MAX_REGRESSION: '0',
  };
}
const GOOD_SAMPLES = 3000;
const WORSE_SAMPLES = 200;

function failureDetails(results: StepResult[]): string {
  return results.map((r) => `${r.name}: exit ${r.code}\n${r.stderr.slice(-2000)}`).join('\n');
}

function expectPng(file: string): void {
  const bytes = fs.readFileSync(file);
  expect(bytes.subarray(0, 8), file).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(bytes.readUInt32BE(8), `${file}: IHDR length`).toBe(13);
  expect(bytes.toString('ascii', 12, 16), file).toBe('IHDR');
  expect(bytes.readUInt32BE(16) * bytes.readUInt32BE(20), `${file}: width × height`).toBeGreaterThan(0);
}

/** report.md with links that resolve, report.json that parses, and every figure a PNG. */
function checkReport(dir: string): Record<string, any> {
  const report = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'));
  const markdownFile = path.join(dir, report.files.markdown);
  expect(brokenLinks(markdownFile)).toEqual([]);
  const markdown = fs.readFileSync(markdownFile, 'utf8');
  const figures = Object.values(report.files.figures).filter((file): file is string => file !== null);
  expect(figures.length).toBeGreaterThanOrEqual(3);
  for (const figure of figures) {
    expect(markdown).toContain(`](${figure})`);
    expectPng(path.join(dir, figure));
  }
  return report;
}

/** What both recipes must do on the two runs, whatever their CI. */
async function firstRunPublishes(
  run: (production: string) => Promise<{ copy: string; results: StepResult[] }>,
  production: string,
) {
  const { copy, results } = await run(production);
  expect(
    results.every((r) => r.code === 0),
    failureDetails(results),
  ).toBe(true);
  expect(fs.readdirSync(production)).toEqual(['1']);
  const exported = JSON.parse(fs.readFileSync(path.join(copy, REPORT_DIR, 'export.json'), 'utf8'));
  expect(exported.version).toBe(1);
  expect(exported.accuracy.minimum).toBe(0.05);
  expect(exported.gate).toMatchObject({ baseline: { ref: 'latest', version: null }, passed: true });
  const report = checkReport(path.join(copy, REPORT_DIR));
  expect(report.comparison).toMatchObject({ baseline: { ref: 'latest', version: null }, passed: true });
  return { copy, results };
}

async function worseRunIsRefused(
  run: (production: string) => Promise<{ copy: string; results: StepResult[] }>,
  production: string,
) {
  const { copy, results } = await run(production);
  const failed = results.filter((r) => r.code !== 0);
  expect(
    failed.map((r) => [r.run, r.code]),
    failureDetails(results),
  ).toEqual([[expect.stringMatching(EXPORT_COMMAND), 1]]);
  expect(failed[0]!.stderr).toMatch(
    /mnist-serve: error: candidate accuracy 0\.\d{4} is below baseline accuracy 0\.\d{4} \(version 1, latest\)/,
  );
  expect(fs.readdirSync(production), 'nothing published, no staging left').toEqual(['1']);
  const exported = JSON.parse(fs.readFileSync(path.join(copy, REPORT_DIR, 'export.json'), 'utf8'));
  expect(exported.error).toMatchObject({
    kind: 'failure',
    gate: { baseline: { ref: 'latest', version: 1 }, passed: false },
  });
  const report = checkReport(path.join(copy, REPORT_DIR));
  expect(report.comparison).toMatchObject({ baseline: { ref: 'latest', version: 1 }, passed: false });
  expect(report.comparison.broken).toBeGreaterThan(report.comparison.fixed);
  return { copy, results };
}

describe('examples/ci/github-actions.yml', () => {
  const workflow = readRecipe('examples/ci/github-actions.yml');
  const { steps, actions, env } = githubSteps(workflow);
  const production = tempDir('github-production');

  it('leaves checkout, caches and the artifact to GitHub, and takes secrets from its secret store', () => {
    // These are GitHub's own actions: not run here. The test copies the repository (checkout),
    // links node_modules (setup-node's npm cache + npm ci) and uses the real engine cache.
    expect(actions.map((a) => a.uses)).toEqual([
      'actions/checkout@v4',
      'actions/setup-node@v4',
      'actions/cache@v4',
      'actions/upload-artifact@v4',
    ]);
    expect(actions[1]!.with).toMatchObject({ 'node-version': 20, cache: 'npm' });
    expect(actions[2]!.with.path).toBe('~/.cache/mnist-serve');
    expect(actions[3]).toMatchObject({ if: 'always()', with: { path: `${REPORT_DIR}/` } });
    for (const secret of ['MODEL_BASE_PATH', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])
      expect(env[secret]).toMatch(/^\$\{\{ secrets\.\w+ \}\}$/);
    // Expressions are not evaluated in the shell here, and interpolated into a script they invite injection.
    for (const step of steps) expect(step.run).not.toContain('${{');
    expect(steps.some((step) => INSTALL_COMMAND.test(step.run))).toBe(true);
  });

  const run = (trainSamples: number) => async (base: string) => {
    const copy = cleanCopy();
    const summary = path.join(tempDir('github-summary'), 'summary.md');
    fs.writeFileSync(summary, '');
    const stepEnv = {
      ...githubEnv(env, {
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        AWS_REGION: '',
        ...settings(base, trainSamples),
      }),
      GITHUB_STEP_SUMMARY: summary,
    };
    const results = await runSteps(steps, copy, stepEnv);
    expect(fs.readFileSync(summary, 'utf8'), 'report.md in the job summary').toBe(
      fs.readFileSync(path.join(copy, REPORT_DIR, 'report.md'), 'utf8'),
    );
    return { copy, results };
  };

  it('publishes version 1 on a first run, with the report in the job summary', async () => {
    await firstRunPublishes(run(GOOD_SAMPLES), production);
  }, 420_000);

  it('refuses a worse candidate at the gate, publishes nothing, and still writes the summary', async () => {
    const { results } = await worseRunIsRefused(run(WORSE_SAMPLES), production);
    expect(results.at(-1)!.name).toBe('Job summary');
  }, 420_000);
});

describe('examples/ci/gitlab-ci.yml', () => {
  const JOB = 'train-gate-publish';
  const pipeline = readRecipe('examples/ci/gitlab-ci.yml');
  const steps = gitlabSteps(pipeline, JOB);
  const production = tempDir('gitlab-production');

  it(
    'caches npm and the engine inside the project, ' +
      'keeps the report on failure, and leaves secrets to CI/CD variables',
    () => {
      const job = pipeline[JOB];
      expect(job.cache.flatMap((cache: { paths: string[] }) => cache.paths)).toEqual(['.npm/', '.cache/mnist-serve/']);
      expect(pipeline.variables).toMatchObject({
        npm_config_cache: '$CI_PROJECT_DIR/.npm',
        XDG_CACHE_HOME: '$CI_PROJECT_DIR/.cache',
      });
      expect(job.artifacts).toMatchObject({ when: 'always', paths: [`${REPORT_DIR}/`] });
      expect(Object.keys(pipeline.variables)).not.toContain('MODEL_BASE_PATH');
      expect(steps.some((step) => INSTALL_COMMAND.test(step.run))).toBe(true);
    },
  );

  const run = (trainSamples: number) => async (base: string) => {
    const copy = cleanCopy();
    // A restored cache: the engine and datasets this machine already holds.
    const cacheRoot = path.dirname(defaultDatasetCacheRoot());
    fs.mkdirSync(cacheRoot, { recursive: true });
    fs.mkdirSync(path.join(copy, '.cache'));
    fs.symlinkSync(cacheRoot, path.join(copy, '.cache', 'mnist-serve'));
    const env = gitlabEnv(pipeline.variables, { CI_PROJECT_DIR: copy }, settings(base, trainSamples));
    expect(env.XDG_CACHE_HOME).toBe(path.join(copy, '.cache'));
    return { copy, results: await runSteps(steps, copy, env) };
  };

  it('publishes version 1 on a first run', async () => {
    await firstRunPublishes(run(GOOD_SAMPLES), production);
  }, 420_000);

  it('refuses a worse candidate at the gate and publishes nothing', async () => {
    await worseRunIsRefused(run(WORSE_SAMPLES), production);
  }, 420_000);
});
