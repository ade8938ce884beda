import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { saveCheckpoint } from '../../src/checkpoint/manager.ts';
import { SIDECAR_FORMAT, type CheckpointMeta } from '../../src/checkpoint/meta.ts';
import { defaultModelSpec } from '../../src/model/spec.ts';
import { servingModelContent } from '../../src/savedmodel/serving-model.ts';
import { writeSavedModel } from '../../src/savedmodel/writer.ts';
import { projectRoot, runCli } from '../helpers/cli.ts';
import { fixtureWeights, tempDir } from '../savedmodel/fixtures.ts';

const tracer = path.join(projectRoot, 'test', 'helpers', 'module-load-tracer.cjs');
const spec = defaultModelSpec();

function savedModelFixture(): string {
  const dir = tempDir('inspect');
  writeSavedModel(dir, servingModelContent(spec, fixtureWeights(spec)));
  return dir;
}

function oneLineError(result: { code: number | null; stderr: string; stdout: string }): string {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('mnist-serve inspect-graph', () => {
  it('reads a SavedModel without loading TensorFlow', async () => {
    const dir = savedModelFixture();
    const result = await runCli(['inspect-graph', '--saved-model', dir], { nodeArgs: ['--require', tracer] });
    expect(result.code, result.stderr).toBe(0);
    // An exported graph ends at the classes ArgMax; the Sigmoid it consumes is an output too: the
    // signatures answer it (the notebook's decoded).
    expect(result.stdout.split('\n').slice(0, 5)).toEqual([
      `source: SavedModel ${dir} (tag serve)`,
      'input: conv2d_input:0  output: dense_1/Sigmoid:0, ArgMax:0',
      'signature predict_classes: image=conv2d_input:0 -> decoded=dense_1/Sigmoid:0',
      'signature serving_default: image=conv2d_input:0 -> classes=ArgMax:0, scores=dense_1/Sigmoid:0',
      '112 of 112 nodes', // the default model's 110, plus ArgMax and its dimension constant
    ]);
    expect(result.stdout).toMatch(
      /^conv2d\/Conv2D\s+Conv2D\s+DT_FLOAT\s+conv2d_input, conv2d\/Conv2D\/ReadVariableOp$/m,
    );
    expect(result.stderr).toContain('[tracer] engine-loaded=false');
  });

  it("lists the default model's graph, ending at the head as Keras's graph does", async () => {
    const result = await runCli(['inspect-graph', '--filter', '^dense_1/', '--op', 'Sigmoid']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n').slice(0, 5)).toEqual([
      'source: the default model spec',
      'input: conv2d_input:0  output: dense_1/Sigmoid:0',
      'signature predict_classes (as export writes it, adding ArgMax): ' +
        'image=conv2d_input:0 -> decoded=dense_1/Sigmoid:0',
      'signature serving_default (as export writes it, adding ArgMax): ' +
        'image=conv2d_input:0 -> classes=ArgMax:0, scores=dense_1/Sigmoid:0',
      '1 of 110 nodes',
    ]);
    expect(result.stdout).toMatch(/^dense_1\/Sigmoid\s+Sigmoid\s+DT_FLOAT\s+dense_1\/BiasAdd$/m);
  });

  it("builds a checkpoint's graph from its model spec", async () => {
    const dir = tempDir('ckpt');
    const softmax = defaultModelSpec({ head: 'softmax' });
    const meta: CheckpointMeta = {
      format: SIDECAR_FORMAT,
      formatVersion: 1,
      epoch: 1,
      batch: 0,
      step: 1,
      metrics: null,
      partialEpoch: null,
      best: null,
      reason: 'epoch',
      timestamp: new Date(0).toISOString(),
      engine: 'eager',
      weightsOnly: true,
      data: { name: 'mnist', source: 'test', trainSamples: 1, testSamples: 1 },
      run: { epochs: 1, batchSize: 1, seed: 1 },
      spec: softmax,
    };
    const saved = saveCheckpoint(
      dir,
      { variables: fixtureWeights(softmax), adam: { step: 1, m: new Map(), v: new Map() } },
      meta,
      1,
    );
    const result = await runCli(['--json', 'inspect-graph', '--checkpoint', dir]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.source).toBe(`checkpoint ${saved.prefix}`);
    expect(report.outputs).toEqual(['dense_1/Softmax:0']);
    expect(report.signatures.find((s: { name: string }) => s.name === 'serving_default').outputs).toEqual({
      classes: { name: 'ArgMax:0', dtype: 'DT_INT64', shape: [-1] },
      scores: { name: 'dense_1/Softmax:0', dtype: 'DT_FLOAT', shape: [-1, 10] },
    });
    expect(report.metaGraphs[0].signatures.map((s: { name: string }) => s.name)).toEqual([
      'predict_classes',
      'serving_default',
    ]);
  });

  it('prints signatures as saved_model_cli show --all does', async () => {
    const result = await runCli(['inspect-graph', '--saved-model', savedModelFixture(), '--signatures']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      [
        "signature_def['serving_default']:",
        '  The given SavedModel SignatureDef contains the following input(s):',
        "    inputs['image'] tensor_info:",
        '        dtype: DT_FLOAT',
        '        shape: (-1, 28, 28, 1)',
        '        name: conv2d_input:0',
        '  The given SavedModel SignatureDef contains the following output(s):',
        "    outputs['classes'] tensor_info:",
        '        dtype: DT_INT64',
        '        shape: (-1)',
        '        name: ArgMax:0',
        "    outputs['scores'] tensor_info:",
        '        dtype: DT_FLOAT',
        '        shape: (-1, 10)',
        '        name: dense_1/Sigmoid:0',
        '  Method name is: tensorflow/serving/predict',
      ].join('\n'),
    );
    expect(result.stdout).toContain(
      [
        "    outputs['decoded'] tensor_info:",
        '        dtype: DT_FLOAT',
        '        shape: (-1, 10)',
        '        name: dense_1/Sigmoid:0',
      ].join('\n'),
    );
    expect(result.stdout.startsWith("MetaGraphDef with tag-set: 'serve' contains the following SignatureDefs:")).toBe(
      true,
    );
  });

  it('writes the filtered graph as DOT, and SVG where Graphviz is installed', async () => {
    const out = tempDir('dot');
    const dot = path.join(out, 'g.dot');
    const svg = path.join(out, 'g.svg');
    const result = await runCli(['--json', 'inspect-graph', '--filter', '^conv2d/', '--dot', dot]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).dot).toBe(dot);
    expect(fs.readFileSync(dot, 'utf8')).toContain('"conv2d/BiasAdd" -> "conv2d/Relu";');
    const withSvg = await runCli(['inspect-graph', '--filter', '^conv2d/', '--svg', svg]);
    if (spawnSync('dot', ['-V']).error) {
      expect(oneLineError(withSvg)).toMatch(/--svg .*needs Graphviz's `dot` on PATH/);
      expect(fs.existsSync(svg)).toBe(false);
    } else {
      expect(withSvg.code).toBe(0);
      expect(fs.readFileSync(svg, 'utf8')).toContain('<svg');
    }
  });

  it('writes neither file when --svg fails, even with --dot given first', async () => {
    const out = tempDir('dotfail');
    // A `dot` on PATH that rejects its input, as Graphviz does on a graph it cannot lay out.
    const bin = tempDir('fakebin');
    fs.writeFileSync(path.join(bin, 'dot'), '#!/bin/sh\necho "Error: syntax error in line 1" >&2\nexit 1\n', {
      mode: 0o755,
    });
    const dot = path.join(out, 'g.dot');
    const result = await runCli(['inspect-graph', '--dot', dot, '--svg', path.join(out, 'g.svg')], {
      env: { PATH: `${bin}:${process.env.PATH}` },
    });
    expect(result.code).toBe(2);
    expect(oneLineError(result)).toMatch(/--svg .*g\.svg: dot failed: Error: syntax error in line 1/);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('answers bad input with one line and exit 2', async () => {
    const empty = tempDir('notsm');
    const corrupt = savedModelFixture();
    fs.writeFileSync(path.join(corrupt, 'saved_model.pb'), Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    const cases: [string[], RegExp][] = [
      [['--saved-model', path.join(empty, 'missing')], /error: .*missing: no such SavedModel directory$/],
      [['--saved-model', empty], /error: .*: not a SavedModel directory: saved_model.pb is missing$/],
      [['--saved-model', corrupt], /error: .*saved_model\.pb: not a valid SavedModel protobuf \(/],
      [
        ['--saved-model', savedModelFixture(), '--tag', 'train'],
        /no MetaGraphDef with tag "train" \(available tag-sets: serve\)$/,
      ],
      [['--filter', '('], /--filter: not a valid regular expression/],
      [['--checkpoint', path.join(empty, 'ckpt-9')], /ckpt-9/],
    ];
    for (const [args, pattern] of cases) {
      expect(oneLineError(await runCli(['inspect-graph', ...args]))).toMatch(pattern);
    }
  });
});
