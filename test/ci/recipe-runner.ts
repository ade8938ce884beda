/**
 * Runs a CI recipe's own shell commands, in order, the way its CI would: each GitHub `run:` step
 * in `bash -eo pipefail` with the workflow's and job's `env`, each GitLab `before_script`/`script`
 * line with the file's `variables`. What only the CI provider can do (`uses:` actions: checkout,
 * caches, artifact upload) is not run; the test stands in for it (a clean copy of the repository,
 * node_modules and the engine cache made available) and checks what those steps are configured with.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

export interface RecipeStep {
  /** The step's name, or its command. */
  name: string;
  run: string;
  /** Runs even after an earlier step failed (GitHub `if: always()`). */
  always: boolean;
}

export interface StepResult {
  name: string;
  run: string;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm ci` would reinstall every package over the network; the copy gets the test's node_modules instead. */
export const INSTALL_COMMAND = /^npm ci\b/;

export function readRecipe(file: string): Record<string, any> {
  return parse(fs.readFileSync(path.join(projectRoot, file), 'utf8'));
}

/** The GitHub workflow's single job: its `run:` steps, and the `uses:` actions left to the provider. */
export function githubSteps(workflow: Record<string, any>): {
  steps: RecipeStep[];
  actions: Record<string, any>[];
  env: Record<string, string>;
} {
  const jobs = Object.values(workflow.jobs) as Record<string, any>[];
  if (jobs.length !== 1) throw new Error(`expected one job, found ${jobs.length}`);
  const job = jobs[0]!;
  const steps: RecipeStep[] = [];
  const actions: Record<string, any>[] = [];
  for (const step of job.steps as Record<string, any>[]) {
    if (step.uses) actions.push(step);
    else steps.push({ name: step.name ?? step.run, run: step.run, always: /\balways\(\)/.test(String(step.if ?? '')) });
  }
  return { steps, actions, env: { ...workflow.env, ...job.env } };
}

/**
 * The environment a GitHub step sees: literal `env` values as written, and for each `${{ … }}`
 * expression (secrets, repository variables) the value the test's "CI settings" give it.
 */
export function githubEnv(env: Record<string, string>, settings: Record<string, string>): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!String(value).includes('${{')) resolved[name] = String(value);
    else if (name in settings) resolved[name] = settings[name]!;
    else throw new Error(`the recipe reads ${name} from ${value}; the test gives it no value`);
  }
  return resolved;
}

/** GitLab's job: `before_script` then `script`, one line a command. */
export function gitlabSteps(pipeline: Record<string, any>, jobName: string): RecipeStep[] {
  const job = pipeline[jobName] as Record<string, any>;
  return [...(job.before_script ?? []), ...job.script].map((line: string) => ({
    name: line,
    run: line,
    always: false,
  }));
}

/**
 * GitLab's variables: the file's defaults with `$VAR` expanded (as GitLab does), then the
 * project's CI/CD variables (the test's settings), which take precedence.
 */
export function gitlabEnv(
  variables: Record<string, string>,
  predefined: Record<string, string>,
  settings: Record<string, string>,
): Record<string, string> {
  const resolved: Record<string, string> = { ...predefined };
  for (const [name, value] of Object.entries(variables)) {
    resolved[name] = String(value).replace(
      /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g,
      (_, ref: string) => resolved[ref] ?? '',
    );
  }
  return { ...resolved, ...settings };
}

/**
 * A clean copy of the repository as a CI checkout sees it: the tracked and not-ignored files of
 * the working tree (so uncommitted changes are tested too), and no build outputs or checkpoints.
 */
export function cleanCopy(): string {
  const dir = tempDir('ci-checkout');
  const listing = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: projectRoot,
    encoding: 'utf8',
  });
  if (listing.status !== 0) throw new Error(`git ls-files failed: ${listing.stderr}`);
  for (const file of new Set(listing.stdout.split('\0').filter(Boolean))) {
    const source = path.join(projectRoot, file);
    if (!fs.existsSync(source)) continue; // deleted in the working tree, not yet committed
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(source, path.join(dir, file));
    fs.chmodSync(path.join(dir, file), fs.statSync(source).mode);
  }
  return dir;
}

/**
 * Runs the steps in `cwd`; after a failure only `always` steps run, as on GitHub (and GitLab
 * stops its script at the first failing line). `npm ci` links the test's node_modules instead.
 */
export async function runSteps(steps: RecipeStep[], cwd: string, env: Record<string, string>): Promise<StepResult[]> {
  const results: StepResult[] = [];
  let failed = false;
  for (const step of steps) {
    if (failed && !step.always) continue;
    const result = INSTALL_COMMAND.test(step.run.trim()) ? linkNodeModules(step, cwd) : await runShell(step, cwd, env);
    results.push(result);
    if (result.code !== 0) failed = true;
  }
  return results;
}

function linkNodeModules(step: RecipeStep, cwd: string): StepResult {
  fs.symlinkSync(path.join(projectRoot, 'node_modules'), path.join(cwd, 'node_modules'));
  return { name: step.name, run: step.run, code: 0, stdout: '', stderr: '' };
}

function runShell(step: RecipeStep, cwd: string, env: Record<string, string>): Promise<StepResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ name: step.name, run: step.run, code, stdout, stderr }));
  });
}
