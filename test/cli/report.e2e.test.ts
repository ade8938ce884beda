import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, userStderr } from '../helpers/cli.ts';
import { tempDir } from '../savedmodel/fixtures.ts';

/** A project with a 3-epoch run of which `--keep 2` left epochs 2 and 3, and version 1 exported from it. */
let project: string;

beforeAll(async () => {
  project = tempDir('report-cli');
  const trained = await runCli(
    ['train', '--epochs', '3', '--keep', '2', '--train-samples', '300', '--test-samples', '100'],
    { cwd: project },
  );
  expect(trained.code, trained.stderr).toBe(0);
  const exported = await runCli(['export', '--model-base-path', 'prod', '--no-verify', '--warmup-requests', '0'], {
    cwd: project,
  });
  expect(exported.code, exported.stderr).toBe(0);
}, 120_000);

function readPng(file: string): PNG {
  return PNG.sync.read(fs.readFileSync(file));
}

describe('mnist-serve report', () => {
  it('writes report.md, report.json and the four figures for a checkpoint compared with version 1', async () => {
    const result = await runCli(
      [
        '--json',
        'report',
        '--checkpoint',
        'checkpoints',
        '--baseline',
        'latest',
        '--model-base-path',
        'prod',
        '--out',
        'report',
      ],
      { cwd: project },
    );
    expect(result.code, result.stderr).toBe(0);
    const printed = JSON.parse(result.stdout);
    const out = path.join(project, 'report');
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect({ outDir: 'report', ...report }).toEqual(printed);
    expect(report.model).toEqual({
      kind: 'checkpoint',
      path: path.join('checkpoints', 'ckpt-3'),
      signature: 'serving_default',
    });
    expect(report.data).toMatchObject({ name: 'mnist', samples: 2000 });
    expect(report.training.epochs.map((e: { epoch: number }) => e.epoch)).toEqual([2, 3]);
    expect(report.training.missingEpochs).toEqual([1]);
    // The checkpoint is the one version 1 was exported from: the same answers on every image.
    expect(report.comparison).toMatchObject({
      baseline: { ref: 'latest', version: 1 },
      delta: 0,
      fixed: 0,
      broken: 0,
      pValue: 1,
      passed: true,
    });
    expect(report.confusionMatrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(2000);
    const correct = report.confusionMatrix.reduce((sum: number, row: number[], i: number) => sum + row[i]!, 0);
    expect(report.accuracy).toBe(correct / 2000);
    expect(report.perClass.map((row: { accuracy: number; baselineAccuracy: number }) => row.baselineAccuracy)).toEqual(
      report.perClass.map((row: { accuracy: number }) => row.accuracy),
    );
    expect(report.mistakes).toHaveLength(24);
    const confidences = report.mistakes.map((m: { confidence: number }) => m.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
    for (const m of report.mistakes) expect(m.label).not.toBe(m.predicted);

    expect(fs.readdirSync(out).sort()).toEqual([
      'confusion-matrix.png',
      'most-confident-mistakes.png',
      'per-class-accuracy.png',
      'report.json',
      'report.md',
      'training-curves.png',
    ]);
    for (const file of Object.values(report.files.figures) as string[]) {
      const png = readPng(path.join(out, file));
      expect(png.width, file).toBeGreaterThan(400);
      expect(png.height, file).toBeGreaterThan(200);
    }
    const markdown = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
    const linked = [...markdown.matchAll(/!\[[^\]]+\]\(([^)]+)\)/g)].map((m) => m[1]);
    expect(linked.sort()).toEqual(Object.values(report.files.figures).sort());
    expect(markdown).toContain('## Against the baseline');
    expect(markdown).toContain('Epochs 1 have no checkpoint left');
  }, 120_000);

  it('reports on a SavedModel without training curves, and replaces an earlier report', async () => {
    const out = path.join(project, 'saved');
    const first = await runCli(['report', '--saved-model', path.join('prod', '1'), '--out', out], { cwd: project });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      new RegExp(
        '^wrote .*report\\.md: test accuracy \\d+\\.\\d\\d% on 2000 images\\n' +
          ' {2}figures: confusion-matrix\\.png, most-confident-mistakes\\.png, per-class-accuracy\\.png\\n$',
      ),
    );
    const again = await runCli(['--json', 'report', '--saved-model', path.join('prod', '1'), '--out', out], {
      cwd: project,
    });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      training: null,
      comparison: null,
      files: { figures: { trainingCurves: null } },
    });
    expect(fs.readdirSync(out)).not.toContain('training-curves.png');
  }, 120_000);

  it('answers a wrong model choice or an output directory of other files ' +
    'with one line and exit 2, writing nothing', async () => {
    const other = tempDir('report-other');
    fs.writeFileSync(path.join(other, 'keep.txt'), 'mine');
    const cases: [string[], string][] = [
      [
        ['report', '--out', 'x'],
        'mnist-serve: error: report needs exactly one of --checkpoint PREFIX and --saved-model DIR',
      ],
      [
        ['report', '--checkpoint', 'checkpoints', '--saved-model', 'prod/1', '--out', 'x'],
        'mnist-serve: error: report needs exactly one of --checkpoint PREFIX and --saved-model DIR',
      ],
      [
        ['report', '--saved-model', 'prod/1', '--out', other],
        `mnist-serve: error: ${other}: a directory of other files ` +
          '(no report.json from an earlier report); choose an empty or new directory',
      ],
      [
        ['report', '--saved-model', 'prod/1', '--baseline', '4', '--model-base-path', 'prod', '--out', 'x'],
        `mnist-serve: error: baseline 4: version 4 does not exist (${path.join('prod', '4')})`,
      ],
    ];
    for (const [args, line] of cases) {
      const result = await runCli(args, { cwd: project });
      expect(result.code, args.join(' ')).toBe(2);
      expect(userStderr(result.stderr).at(-1)).toBe(line);
    }
    expect(fs.readdirSync(other)).toEqual(['keep.txt']);
    expect(fs.existsSync(path.join(project, 'x'))).toBe(false);
  }, 60_000);
});
