import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeIdxDir } from '../data/fixtures.ts';
import { projectRoot, runCli, userStderr } from '../helpers/cli.ts';
import { tempDir } from '../savedmodel/fixtures.ts';

const tracer = path.join(projectRoot, 'test', 'helpers', 'module-load-tracer.cjs');

/** A project directory where `mnist-serve train` has written checkpoints/ (defaults, tiny run). */
let project: string;

beforeAll(async () => {
  project = tempDir('export-cli');
  const trained = await runCli(['train', '--epochs', '1', '--train-samples', '200', '--test-samples', '100'], {
    cwd: project,
  });
  expect(trained.code, trained.stderr).toBe(0);
}, 180_000);

function oneLine(stderr: string): string {
  const lines = userStderr(stderr).filter((line) => !line.startsWith('INT64 output tensor'));
  return lines[lines.length - 1]!;
}

describe('mnist-serve export', () => {
  it('exports the latest checkpoint to models/serving/versions/N, verified, with warmup requests', async () => {
    const result = await runCli(['--json', 'export', '--version', '2'], { cwd: project });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    const dir = path.join('models', 'serving', 'versions', '2');
    expect(report).toMatchObject({
      checkpoint: path.join('checkpoints', 'ckpt-1'),
      modelName: 'mnist',
      version: 2,
      path: dir,
      replaced: false,
      accuracy: null,
    });
    expect(report.verification).toMatchObject({ images: 64, passed: true, classesAgree: true });
    expect(report.warmup).toEqual({
      requests: 10,
      file: path.join(dir, 'assets.extra', 'tf_serving_warmup_requests'),
      signatures: ['serving_default', 'predict_classes'],
    });
    expect(report.signatures[0].outputs.decoded).toEqual({
      name: 'dense_1/Sigmoid:0',
      dtype: 'DT_FLOAT',
      shape: [-1, 10],
    });
    expect(report.signatures.map((s: { name: string }) => s.name)).toEqual(['predict_classes', 'serving_default']);
    expect(report.signatures[1].outputs.scores).toEqual({
      name: 'dense_1/Sigmoid:0',
      dtype: 'DT_FLOAT',
      shape: [-1, 10],
    });
    expect(typeof report.durationMs).toBe('number');
    expect(fs.readdirSync(path.join(project, 'models', 'serving', 'versions'))).toEqual(['2']);
    expect(fs.readdirSync(path.join(project, dir)).sort()).toEqual(['assets.extra', 'saved_model.pb', 'variables']);
  }, 120_000);

  it('refuses to overwrite an existing version without --force (exit 2), and replaces it with --force', async () => {
    const base = tempDir('base');
    expect(
      (await runCli(['export', '--model-base-path', base, '--no-verify', '--warmup-requests', '0'], { cwd: project }))
        .code,
    ).toBe(0);
    const again = await runCli(['export', '--model-base-path', base, '--version', '1', '--no-verify'], {
      cwd: project,
    });
    expect(again.code).toBe(2);
    expect(oneLine(again.stderr)).toBe(
      `mnist-serve: error: ${path.join(base, '1')} already exists; ` +
        'pass --force to replace it or --version to choose another version',
    );
    const forced = await runCli(
      [
        '--json',
        'export',
        '--model-base-path',
        base,
        '--version',
        '1',
        '--force',
        '--no-verify',
        '--signature-name',
        'classify',
      ],
      { cwd: project },
    );
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ version: 1, replaced: true, verification: null });
    expect(JSON.parse(forced.stdout).signatures.map((s: { name: string }) => s.name)).toEqual([
      'classify',
      'predict_classes',
    ]);
  }, 120_000);

  it('publishes nothing when the SavedModel misses --min-accuracy (exit 1)', async () => {
    const base = tempDir('gate');
    const result = await runCli(['export', '--model-base-path', base, '--version', '5', '--min-accuracy', '0.99'], {
      cwd: project,
    });
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toMatch(
      /^mnist-serve: error: test accuracy 0\.\d{4} is below --min-accuracy 0\.99; nothing was published under .*$/,
    );
    expect(fs.readdirSync(base)).toEqual([]);
  }, 120_000);

  it('without verification, accuracy gate or warmup it never loads TensorFlow', async () => {
    const base = tempDir('noverify');
    const result = await runCli(['export', '--model-base-path', base, '--no-verify', '--warmup-requests', '0'], {
      cwd: project,
      nodeArgs: ['--require', tracer],
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`exported mnist version 1 to ${path.join(base, '1')}`);
    expect(result.stdout).toContain('verification skipped (--no-verify)');
    expect(result.stderr).toContain('[tracer] engine-loaded=false');
  }, 60_000);

  it('checks a checkpoint trained with --data-dir on that directory, ' +
    'even when only --seed is given, and on another with --data-dir', async () => {
    const idxProject = tempDir('export-idx');
    const idx = path.join(idxProject, 'idx');
    writeIdxDir(idx, { train: 64, test: 40 });
    const trained = await runCli(['train', '--data-dir', idx, '--epochs', '1'], { cwd: idxProject });
    expect(trained.code, trained.stderr).toBe(0);
    const result = await runCli(['--json', 'export', '--seed', '1', '--min-accuracy', '0', '--warmup-requests', '3'], {
      cwd: idxProject,
    });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.verification).toMatchObject({ images: 40, passed: true });
    expect(report.accuracy).toMatchObject({ samples: 40, minimum: 0 });
    expect(report.warmup.requests).toBe(3);

    const other = path.join(idxProject, 'other');
    writeIdxDir(other, { train: 10, test: 20 });
    const elsewhere = await runCli(
      ['--json', 'export', '--data-dir', other, '--min-accuracy', '0', '--warmup-requests', '0'],
      { cwd: idxProject },
    );
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    expect(JSON.parse(elsewhere.stdout)).toMatchObject({
      version: 2,
      verification: { images: 20 },
      accuracy: { samples: 20 },
    });
  }, 120_000);

  it('answers bad flags and a missing checkpoint with one line and exit 2', async () => {
    const empty = tempDir('nockpt');
    const cases: [string[], string, RegExp][] = [
      [
        ['export'],
        empty,
        /no checkpoint in checkpoints\/: run `mnist-serve train` first, or pass --checkpoint PREFIX$/,
      ],
      [['export', '--version', '0'], project, /--version <n>' argument '0' is invalid\. expected a positive integer$/],
      [['export', '--min-accuracy', '2'], project, /--min-accuracy.*expected a number from 0 to 1/],
      [
        ['export', '--warmup-requests', '5000', '--model-base-path', empty],
        project,
        /--warmup-requests must be an integer from 0 to 1000/,
      ],
      [
        ['export', '--signature-name', 'predict_classes', '--model-base-path', empty],
        project,
        /the main and the decoded signature need different names; both are "predict_classes"/,
      ],
    ];
    for (const [args, cwd, pattern] of cases) {
      const result = await runCli(args, { cwd });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(oneLine(result.stderr)).toMatch(pattern);
    }
    expect(fs.readdirSync(empty)).toEqual([]);
  }, 120_000);
  it('--baseline latest: a first export passes and says so; ' +
    'the next is compared image by image with version 1', async () => {
    const base = tempDir('baseline');
    const quick = ['--model-base-path', base, '--no-verify', '--warmup-requests', '0', '--baseline', 'latest'];
    const first = await runCli(['--json', 'export', ...quick], { cwd: project });
    expect(first.code, first.stderr).toBe(0);
    const firstGate = JSON.parse(first.stdout).gate;
    expect(firstGate).toMatchObject({
      baseline: { ref: 'latest', version: null, accuracy: null },
      delta: null,
      fixed: null,
      broken: null,
      pValue: null,
      passed: true,
    });
    expect(first.stderr).toContain(
      'baseline latest: no baseline: the base path holds no version yet, so this first export passes',
    );

    const second = await runCli(['--json', 'export', ...quick, '--max-regression', '0.01'], { cwd: project });
    expect(second.code, second.stderr).toBe(0);
    const { version, gate } = JSON.parse(second.stdout);
    expect(version).toBe(2);
    // The same checkpoint on the same images: the same answers, nothing fixed or broken.
    expect(gate).toMatchObject({
      baseline: { ref: 'latest', version: 1, path: path.join(base, '1') },
      samples: 2000,
      maxRegression: 0.01,
      delta: 0,
      fixed: 0,
      broken: 0,
      pValue: 1,
      passed: true,
    });
    expect(gate.candidate.accuracy).toBe(gate.baseline.accuracy);

    const config = path.join(base, 'models.config');
    fs.writeFileSync(
      config,
      `model_config_list { config { name: "mnist" base_path: "${base}" version_labels { key: "stable" value: 2 } } }\n`,
    );
    const labelled = await runCli(['export', ...quick.slice(0, -1), 'label:stable', '--model-config-file', config], {
      cwd: project,
    });
    expect(labelled.code, labelled.stderr).toBe(0);
    expect(labelled.stdout).toMatch(
      new RegExp(
        'baseline label:stable \\(version 2\\): \\d+\\.\\d\\d% -> candidate \\d+\\.\\d\\d% ' +
          '\\(\\+0\\.00 points\\), fixed 0, broken 0, McNemar p = 1\\.000: passed',
      ),
    );

    const refused: [string[], string][] = [
      [['--baseline', '9'], `mnist-serve: error: baseline 9: version 9 does not exist (${path.join(base, '9')})`],
      [
        ['--baseline', 'label:stable'],
        'mnist-serve: error: baseline label:stable: no models.config was given to read version labels from',
      ],
      [
        ['--baseline', 'label:canary', '--model-config-file', config],
        `mnist-serve: error: baseline label:canary: ${config} has no version label "canary" (it has stable)`,
      ],
    ];
    for (const [flags, line] of refused) {
      const result = await runCli(
        ['export', '--model-base-path', base, '--no-verify', '--warmup-requests', '0', ...flags],
        {
          cwd: project,
        },
      );
      expect(result.code, flags.join(' ')).toBe(2);
      expect(oneLine(result.stderr)).toBe(line);
    }
    expect(fs.readdirSync(base).sort()).toEqual(['1', '2', '3', 'models.config']);
  }, 120_000);
});
