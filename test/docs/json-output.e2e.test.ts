/**
 * docs/json-output.md is what a pipeline relies on: every command it documents is run here with
 * --json, every documented field must be present, and every field printed must be documented
 * (below an object documented as a whole, its fields are not checked). Fields the page calls
 * "absent" in some runs may be missing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot, runCli } from '../helpers/cli.ts';
import { startServe } from '../helpers/serve-process.ts';
import { tempDir } from '../savedmodel/fixtures.ts';

const PAGE = path.join(projectRoot, 'docs', 'json-output.md');
const ERROR_SECTION = 'error';
/** Needs the published dataset files from a mirror (internet); its fields come from DownloadResult. */
const NOT_RUN = ['data download'];

interface DocumentedField {
  path: string;
  /** The page says the field is left out in some runs. */
  optional: boolean;
}

/** Section (a command such as `checkpoint list`, or `error`) → its documented fields. */
function documentedFields(): Map<string, DocumentedField[]> {
  const sections = new Map<string, DocumentedField[]>();
  let current: string | null = null;
  for (const line of fs.readFileSync(PAGE, 'utf8').split('\n')) {
    if (line.startsWith('## ')) {
      current = /^## `mnist-serve (.+) --json`$/.exec(line)?.[1] ?? (line === '## Errors' ? ERROR_SECTION : null);
      if (current) sections.set(current, []);
      continue;
    }
    const row = current && /^\| `([^`]+)` \|[^|]*\|(.*)\|$/.exec(line);
    if (row) sections.get(current!)!.push({ path: row[1]!, optional: /\babsent\b/.test(row[2]!) });
  }
  return sections;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value at `a.b[].c` (an array step takes its first element); undefined when missing. */
function valueAt(root: unknown, fieldPath: string): unknown {
  let value: unknown = root;
  for (const step of fieldPath.split('.')) {
    const [key, isArray] = step.endsWith('[]') ? [step.slice(0, -2), true] : [step, false];
    if (!isObject(value) || !(key in value)) return undefined;
    value = value[key];
    if (isArray) value = Array.isArray(value) ? value[0] : undefined;
  }
  return value;
}

/** Printed fields the page does not list, below every object whose fields it lists. */
function undocumented(root: unknown, documented: Set<string>): string[] {
  const missing: string[] = [];
  const visit = (value: unknown, at: string): void => {
    if (Array.isArray(value)) {
      if (value.length > 0) visit(value[0], `${at}[]`);
      return;
    }
    if (!isObject(value)) return;
    const listsFields = at === '' || [...documented].some((field) => field.startsWith(`${at}.`));
    if (!listsFields) return;
    for (const [key, child] of Object.entries(value)) {
      const field = at === '' ? key : `${at}.${key}`;
      if (documented.has(field)) visit(child, field);
      else missing.push(field);
    }
  };
  visit(root, '');
  return missing;
}

const outputs = new Map<string, unknown>();
let project: string;

async function json(section: string, args: string[], expectedCode = 0): Promise<void> {
  const result = await runCli(['--json', ...args], { cwd: project });
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(expectedCode);
  outputs.set(section, JSON.parse(result.stdout));
}

beforeAll(async () => {
  project = tempDir('json-docs');
  await json('train', ['train', '--epochs', '1', '--train-samples', '300', '--test-samples', '200']);
  await json('checkpoint list', ['checkpoint', 'list']);
  await json('checkpoint show', ['checkpoint', 'show', 'checkpoints']);
  await json('checkpoint evaluate', ['checkpoint', 'evaluate', 'checkpoints', '--test-samples', '50']);
  await json('checkpoint restore', ['checkpoint', 'restore', 'checkpoints']);
  await json('checkpoint prune', ['checkpoint', 'prune', '--keep', '3']);
  await json('inspect-graph', ['inspect-graph', '--op', 'Conv2D']);
  await json('export', [
    'export',
    '--model-base-path',
    'prod',
    '--min-accuracy',
    '0',
    '--baseline',
    'latest',
    '--warmup-requests',
    '2',
  ]);
  await json('report', [
    'report',
    '--checkpoint',
    'checkpoints',
    '--baseline',
    'latest',
    '--model-base-path',
    'prod',
    '--out',
    'report',
  ]);
  await json('serving-config', ['serving-config', '--out', 'serving', '--model', 'mnist=prod']);
  await json('sync', ['sync', '--once', '--from', 'prod', '--to', 'mirror']);
  await json('data info', ['data', 'info']);
  await json('data show', ['data', 'show', '--index', '0']);
  await json('data grid', ['data', 'grid', '--png', 'grid.png', '--count', '4']);
  await json('doctor', ['doctor', '--no-python']);
  await json(ERROR_SECTION, ['checkpoint', 'show', 'no/such/ckpt-1'], 2);
  const server = await startServe(['--model-base-path', path.join(project, 'prod'), '--json']);
  try {
    await json('predict', ['predict', '--server', server.url, '--sample', '0']);
  } finally {
    server.child.kill('SIGTERM');
  }
  expect(await server.exit).toBe(0);
  outputs.set('serve', JSON.parse(server.stdout()));
}, 600_000);

afterAll(() => {
  if (project) fs.rmSync(project, { recursive: true, force: true });
});

describe('docs/json-output.md', () => {
  const sections = documentedFields();

  it('documents every command that prints a result, and the error object', () => {
    expect([...sections.keys()].sort()).toEqual([...outputs.keys(), ...NOT_RUN].sort());
  });

  it.each([...sections.keys()].filter((section) => !NOT_RUN.includes(section)))(
    '%s: every documented field is printed, and every printed field documented',
    (section) => {
      const fields = sections.get(section)!;
      const output = outputs.get(section);
      const absent = fields
        .filter((field) => !field.optional && valueAt(output, field.path) === undefined)
        .map((field) => field.path);
      expect(absent, 'documented but not printed').toEqual([]);
      expect(undocumented(output, new Set(fields.map((field) => field.path))), 'printed but not documented').toEqual(
        [],
      );
    },
  );
});
