import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveCheckpoint } from '../../src/checkpoint/manager.ts';
import { SIDECAR_FORMAT, type CheckpointMeta } from '../../src/checkpoint/meta.ts';
import { loadTf } from '../../src/runtime/tf.ts';
import { UserInputError } from '../../src/errors.ts';
import { defaultModelSpec } from '../../src/model/spec.ts';
import { exportSavedModel } from '../../src/savedmodel/export.ts';
import { readSavedModel } from '../../src/savedmodel/reader.ts';
import { runCli } from '../helpers/cli.ts';
import { fixtureWeights, syntheticSplit, tempDir } from './fixtures.ts';

const spec = defaultModelSpec();
const weights = fixtureWeights(spec);

function checkpointFixture(): string {
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
    spec,
  };
  return saveCheckpoint(tempDir('ckpt'), { variables: weights, adam: { step: 1, m: new Map(), v: new Map() } }, meta, 1)
    .prefix;
}

/** export without TensorFlow or data: the names are all that is under test here. */
const exportArgs = (checkpoint: string, base: string, ...names: string[]): string[] => [
  '--json',
  'export',
  '--checkpoint',
  checkpoint,
  '--model-base-path',
  base,
  '--version',
  '1',
  '--no-verify',
  '--warmup-requests',
  '0',
  ...names,
];

describe('export signature names', () => {
  it(
    '--signature-name and --decoded-signature-name name ' + 'both signatures in saved_model.pb and the --json report',
    async () => {
      const base = tempDir('names');
      const result = await runCli(
        exportArgs(
          checkpointFixture(),
          base,
          '--signature-name',
          'scores_and_classes',
          '--decoded-signature-name',
          'notebook',
        ),
      );
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.signatures.map((s: { name: string; outputs: object }) => [s.name, Object.keys(s.outputs)])).toEqual(
        [
          ['notebook', ['decoded']],
          ['scores_and_classes', ['classes', 'scores']],
        ],
      );
      const { metaGraph } = readSavedModel(path.join(base, '1'));
      expect(Object.keys(metaGraph.signature_def ?? {}).sort()).toEqual(['notebook', 'scores_and_classes']);
    },
  );

  it('still takes --classes-signature-name, the older name of --decoded-signature-name, but not both', async () => {
    const checkpoint = checkpointFixture();
    const base = tempDir('names');
    const result = await runCli(exportArgs(checkpoint, base, '--classes-signature-name', 'classes_only'));
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).signatures.map((s: { name: string }) => s.name)).toEqual([
      'classes_only',
      'serving_default',
    ]);
    const both = await runCli([
      '--quiet',
      ...exportArgs(checkpoint, tempDir('names'), '--classes-signature-name', 'a', '--decoded-signature-name', 'b'),
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe(
      "mnist-serve: error: option '--classes-signature-name <name>' " +
        "cannot be used with option '--decoded-signature-name <name>'\n",
    );
  });

  it('keeps predict_classes by default', async () => {
    const base = tempDir('names');
    const result = await runCli(exportArgs(checkpointFixture(), base));
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).signatures.map((s: { name: string }) => s.name)).toEqual([
      'predict_classes',
      'serving_default',
    ]);
  });

  it(
    'refuses a signature name that is not plain or equals the other one: ' + 'exit 2, one line, nothing written',
    async () => {
      const checkpoint = checkpointFixture();
      const plain = 'is invalid. expected a plain name (letters, digits, _ . - /)';
      const cases: [string[], string][] = [
        [
          ['--decoded-signature-name', 'serving_default'],
          'the main and the decoded signature need different names; both are "serving_default"',
        ],
        [
          ['--signature-name', 'decode', '--classes-signature-name', 'decode'],
          'the main and the decoded signature need different names; both are "decode"',
        ],
        [
          ['--decoded-signature-name', 'two words'],
          `option '--decoded-signature-name <name>' argument 'two words' ${plain}`,
        ],
        [['--classes-signature-name', ''], `option '--classes-signature-name <name>' argument '' ${plain}`],
        [['--signature-name', 'a:b'], `option '--signature-name <name>' argument 'a:b' ${plain}`],
      ];
      for (const [names, message] of cases) {
        const base = tempDir('names');
        const result = await runCli(['--quiet', ...exportArgs(checkpoint, base, ...names)]);
        expect(result.code, names.join(' ')).toBe(2);
        expect(JSON.parse(result.stdout)).toEqual({ error: { kind: 'usage', message } });
        expect(result.stderr).toBe(`mnist-serve: error: ${message}\n`);
        expect(fs.readdirSync(base)).toEqual([]);
      }
    },
  );

  it('verifies both renamed signatures through tf.node.loadSavedModel', async () => {
    const result = await exportSavedModel({
      spec,
      weights,
      basePath: tempDir('names'),
      modelName: 'mnist',
      verify: true,
      warmupRequests: 0,
      test: syntheticSplit(8),
      loadTf,
      signatureNames: { main: 'scores_and_classes', decoded: 'notebook' },
    });
    expect(result.verification).toMatchObject({ passed: true, signatures: ['scores_and_classes', 'notebook'] });
  }, 60_000);

  it('rejects a decoded name that is not plain in the library call too', async () => {
    await expect(
      exportSavedModel({
        spec,
        weights,
        basePath: tempDir('names'),
        modelName: 'mnist',
        verify: false,
        warmupRequests: 0,
        loadTf,
        signatureNames: { main: 'serving_default', decoded: 'a:b' },
      }),
    ).rejects.toThrow(UserInputError);
  });
});
