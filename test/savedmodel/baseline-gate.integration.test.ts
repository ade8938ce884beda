import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Split } from '../../src/data/types.ts';
import { loadTf, type Tf } from '../../src/runtime/tf.ts';
import { UserInputError } from '../../src/errors.ts';
import { exactMcNemarPValue } from '../../src/evaluation/mcnemar.ts';
import { defaultModelSpec } from '../../src/model/spec.ts';
import { compareWithBaseline, gateRefusal, resolveBaseline } from '../../src/savedmodel/baseline-gate.ts';
import { savedModelPredictions, scoringSignature, type SplitPredictions } from '../../src/savedmodel/predictions.ts';
import { servingModelContent } from '../../src/savedmodel/serving-model.ts';
import { writeSavedModel } from '../../src/savedmodel/writer.ts';
import { fixtureWeights, syntheticSplit, tempDir } from './fixtures.ts';

const spec = defaultModelSpec();

function versionedBase(versions: number[]): string {
  const base = tempDir('gate-base');
  for (const version of versions) fs.mkdirSync(path.join(base, String(version)));
  fs.mkdirSync(path.join(base, '.1-staging')); // a staging sibling is never a version
  return base;
}

describe('resolveBaseline', () => {
  it('takes latest as the highest version, or none in an empty base path', () => {
    const base = versionedBase([1, 3, 2]);
    expect(resolveBaseline({ ref: 'latest', maxRegression: 0 }, base)).toEqual({
      ref: 'latest',
      version: 3,
      dir: path.join(base, '3'),
    });
    expect(resolveBaseline({ ref: 'latest', maxRegression: 0 }, path.join(base, 'absent'))).toEqual({
      ref: 'latest',
      version: null,
      dir: null,
    });
  });

  it('resolves a version number, a label from version_labels and a SavedModel directory', () => {
    const base = versionedBase([1, 2]);
    expect(resolveBaseline({ ref: '2', maxRegression: 0 }, base).dir).toBe(path.join(base, '2'));
    const versionLabels = { source: 'models.config', labels: { stable: 1, canary: 2 } };
    expect(resolveBaseline({ ref: 'label:stable', maxRegression: 0, versionLabels }, base)).toEqual({
      ref: 'label:stable',
      version: 1,
      dir: path.join(base, '1'),
    });
    expect(resolveBaseline({ ref: base, maxRegression: 0 }, '/unused')).toEqual({
      ref: base,
      version: null,
      dir: base,
    });
  });

  it('names what is missing: a version, a label, a models.config, a directory', () => {
    const base = versionedBase([1]);
    const versionLabels = { source: 'prod/models.config', labels: { stable: 1, canary: 4 } };
    const fails =
      (ref: string, labels = versionLabels) =>
      () =>
        resolveBaseline({ ref, maxRegression: 0, versionLabels: labels }, base);
    expect(fails('7')).toThrow(new UserInputError(`baseline 7: version 7 does not exist (${path.join(base, '7')})`));
    expect(fails('label:gone')).toThrow(
      'baseline label:gone: prod/models.config has no version label "gone" (it has stable, canary)',
    );
    expect(fails('label:canary')).toThrow(`baseline label:canary: version 4 does not exist (${path.join(base, '4')})`);
    expect(() => resolveBaseline({ ref: 'label:stable', maxRegression: 0 }, base)).toThrow(
      'baseline label:stable: no models.config was given to read version labels from',
    );
    expect(fails('no/such/dir')).toThrow(
      'baseline no/such/dir: not latest, a version number or label:NAME, and no such SavedModel directory',
    );
  });
});

describe('compareWithBaseline', () => {
  let tf: Tf;
  let baselineDir: string;
  let candidateDir: string;
  let split: Split;
  let baseline: SplitPredictions;
  let candidate: SplitPredictions;
  /** Images on which the two models disagree. */
  let disagree: number;

  beforeAll(async () => {
    tf = await loadTf();
    baselineDir = tempDir('gate-baseline');
    candidateDir = tempDir('gate-candidate');
    writeSavedModel(baselineDir, servingModelContent(spec, fixtureWeights(spec, 7)));
    writeSavedModel(candidateDir, servingModelContent(spec, fixtureWeights(spec, 8)));
    split = syntheticSplit(60);
    baseline = await savedModelPredictions(tf, baselineDir, scoringSignature(baselineDir), split);
    candidate = await savedModelPredictions(tf, candidateDir, scoringSignature(candidateDir), split);
    disagree = baseline.classes.filter((c, i) => c !== candidate.classes[i]).length;
    expect(disagree, 'two differently seeded models disagree somewhere').toBeGreaterThan(0);
  }, 60_000);

  it(
    'refuses a candidate that breaks images the baseline gets right, ' + "with both accuracies and McNemar's p",
    async () => {
      // Labels are the baseline's answers: it scores 100%, and every disagreement is a broken image.
      const labelled: Split = { ...split, labels: Uint8Array.from(baseline.classes) };
      const result = await compareWithBaseline(tf, { ref: '1', version: 1, dir: baselineDir }, candidate, labelled, {
        ref: '1',
        maxRegression: 0,
      });
      expect(result).toEqual({
        baseline: { ref: '1', version: 1, path: baselineDir, accuracy: 1 },
        candidate: { accuracy: (60 - disagree) / 60 },
        samples: 60,
        maxRegression: 0,
        delta: (60 - disagree) / 60 - 1,
        fixed: 0,
        broken: disagree,
        pValue: exactMcNemarPValue(0, disagree),
        passed: false,
        note: null,
      });
      const p = result.pValue! >= 0.001 ? result.pValue!.toFixed(3) : result.pValue!.toExponential(1);
      expect(gateRefusal(result, 'prod/2')).toBe(
        `candidate accuracy ${((60 - disagree) / 60).toFixed(4)} is below baseline accuracy 1.0000 (version 1) ` +
          `minus the allowed regression 0 (fixed 0, broken ${disagree}, McNemar p = ${p}); prod/2 was not published`,
      );
      const allowed = await compareWithBaseline(tf, { ref: '1', version: 1, dir: baselineDir }, candidate, labelled, {
        ref: '1',
        maxRegression: disagree / 60,
      });
      expect(allowed.passed, 'a regression of exactly the allowance passes').toBe(true);
    },
  );

  it('passes a candidate that fixes what the baseline got wrong, and one equal to it', async () => {
    const labelled: Split = { ...split, labels: Uint8Array.from(candidate.classes) };
    const better = await compareWithBaseline(
      tf,
      { ref: baselineDir, version: null, dir: baselineDir },
      candidate,
      labelled,
      { ref: baselineDir, maxRegression: 0 },
    );
    expect(better).toMatchObject({ candidate: { accuracy: 1 }, fixed: disagree, broken: 0, passed: true });
    const same = await compareWithBaseline(tf, { ref: 'latest', version: 1, dir: candidateDir }, candidate, split, {
      ref: 'latest',
      maxRegression: 0,
    });
    expect(same).toMatchObject({ delta: 0, fixed: 0, broken: 0, pValue: 1, passed: true });
  });

  it('passes a first export (no version under latest) and says why', async () => {
    const result = await compareWithBaseline(tf, { ref: 'latest', version: null, dir: null }, candidate, split, {
      ref: 'latest',
      maxRegression: 0,
    });
    expect(result).toMatchObject({
      baseline: { ref: 'latest', version: null, path: null, accuracy: null },
      delta: null,
      pValue: null,
      passed: true,
    });
    expect(result.note).toMatch(/no version yet/);
  });
});
