/**
 * The release gate against a baseline: is the candidate at least as good as what serves now?
 * Both SavedModels are run through TensorFlow on the same test images; the candidate passes when
 * its accuracy is at least the baseline's minus the allowed regression. The paired counts and the
 * exact McNemar p-value say whether a difference is more than noise.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Split } from '../data/types.ts';
import type { Tf } from '../runtime/tf.ts';
import { UserInputError } from '../errors.ts';
import { pairedComparison } from '../evaluation/mcnemar.ts';
import { accuracyOf, savedModelPredictions, scoringSignature, type SplitPredictions } from './predictions.ts';
import { localVersionDir, openModelStore } from '../storage/open-model-store.ts';
import { isS3Uri } from '../storage/s3-location.ts';
import { listVersions, versionDir } from '../storage/versions.ts';

/** `latest`, a version number, `label:NAME`, or a SavedModel directory. */
export interface BaselineRequest {
  ref: string;
  /** Accuracy the candidate may lose against the baseline and still pass (0–1). */
  maxRegression: number;
  /** Version labels for `label:NAME` refs, and the file they were read from. */
  versionLabels?: { source: string; labels: Record<string, number> };
}

/** Where a baseline ref points; `dir` is null when `latest` finds no version (a first export). */
export interface ResolvedBaseline {
  ref: string;
  version: number | null;
  /** A local SavedModel directory: the version itself, or a temporary copy of one on an object store. */
  dir: string | null;
  /** The s3:// URI of a baseline `dir` is a copy of (release it with releaseBaseline). */
  storedAt?: string;
}

export interface BaselineGateResult {
  baseline: { ref: string; version: number | null; path: string | null; accuracy: number | null };
  candidate: { accuracy: number };
  samples: number;
  maxRegression: number;
  /** candidate − baseline accuracy; null without a baseline. */
  delta: number | null;
  fixed: number | null;
  broken: number | null;
  pValue: number | null;
  passed: boolean;
  /** Why the gate passed without a comparison; null when it compared. */
  note: string | null;
}

const LABEL_PREFIX = 'label:';

export function checkBaselineRequest(request: BaselineRequest): void {
  if (!(request.maxRegression >= 0 && request.maxRegression <= 1)) {
    throw new UserInputError(`the allowed regression must be between 0 and 1, got ${request.maxRegression}`);
  }
  if (request.ref.trim() === '')
    throw new UserInputError(
      'the baseline ref is empty (expected latest, a version number, label:NAME or a SavedModel directory)',
    );
}

/**
 * Resolves the ref against a local `basePath` before anything is staged, so `latest` is the newest
 * version that was serving when the export started, never the candidate itself.
 */
export function resolveBaseline(request: BaselineRequest, basePath: string): ResolvedBaseline {
  const version = requestedVersion(request, listVersions(basePath), (v) => versionDir(basePath, v));
  if (version !== undefined)
    return { ref: request.ref, version, dir: version === null ? null : versionDir(basePath, version) };
  if (!fs.existsSync(request.ref))
    throw new UserInputError(
      `baseline ${request.ref}: not latest, a version number or label:NAME, and no such SavedModel directory`,
    );
  return { ref: request.ref, version: null, dir: request.ref };
}

/**
 * resolveBaseline for a base path or ref that may be on an object store: the version is chosen
 * from the store's listing and copied into a temporary directory, since TensorFlow reads local
 * files. Pair with releaseBaseline.
 */
export async function fetchBaseline(request: BaselineRequest, basePath: string): Promise<ResolvedBaseline> {
  if (isS3Uri(request.ref)) {
    const dir = await localVersionDir(request.ref, temporaryCopyDir);
    return { ref: request.ref, version: null, dir, storedAt: request.ref };
  }
  if (!isS3Uri(basePath)) return resolveBaseline(request, basePath);
  const store = openModelStore(basePath);
  const version = requestedVersion(request, await store.listVersions(), (v) => store.versionLocation(v));
  if (version === undefined) return resolveBaseline(request, basePath);
  if (version === null) return { ref: request.ref, version: null, dir: null };
  const dir = temporaryCopyDir();
  try {
    await store.readVersion(version, dir);
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { ref: request.ref, version, dir, storedAt: store.versionLocation(version) };
}

/** Removes the temporary copy of a baseline read from an object store; a local one is left alone. */
export function releaseBaseline(baseline: ResolvedBaseline): void {
  if (baseline.storedAt !== undefined && baseline.dir !== null)
    fs.rmSync(baseline.dir, { recursive: true, force: true });
}

function temporaryCopyDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-serve-baseline-'));
}

/**
 * The version a ref names among `versions` (null: `latest` of none), or undefined when the ref is
 * not a version ref (a SavedModel directory). `where` names a version's location in errors.
 */
function requestedVersion(
  request: BaselineRequest,
  versions: number[],
  where: (version: number) => string,
): number | null | undefined {
  const { ref } = request;
  if (ref === 'latest') return versions.length === 0 ? null : versions[versions.length - 1]!;
  let version: number;
  if (/^\d+$/.test(ref)) version = Number(ref);
  else if (ref.startsWith(LABEL_PREFIX)) version = labelledVersion(request, ref.slice(LABEL_PREFIX.length));
  else return undefined;
  if (!versions.includes(version))
    throw new UserInputError(`baseline ${ref}: version ${version} does not exist (${where(version)})`);
  return version;
}

function labelledVersion({ ref, versionLabels }: BaselineRequest, label: string): number {
  if (!versionLabels)
    throw new UserInputError(`baseline ${ref}: no models.config was given to read version labels from`);
  const version = versionLabels.labels[label];
  if (version === undefined) {
    const known = Object.keys(versionLabels.labels);
    throw new UserInputError(
      `baseline ${ref}: ${versionLabels.source} has no version label "${label}" ` +
        `(it has ${known.length ? known.join(', ') : 'none'})`,
    );
  }
  return version;
}

/** Runs the baseline on `split` and compares it image by image with the candidate's predictions. */
export async function compareWithBaseline(
  tf: Tf,
  baseline: ResolvedBaseline,
  candidate: SplitPredictions,
  split: Split,
  request: BaselineRequest,
): Promise<BaselineGateResult> {
  const predictions =
    baseline.dir === null
      ? null
      : await baselinePredictions(tf, baseline.dir, baseline.ref, candidate.numClasses, split);
  return gateResult(baseline, predictions, candidate, split, request.maxRegression);
}

/** The baseline SavedModel's answers on `split`, through whichever signature of it gives scores. */
export async function baselinePredictions(
  tf: Tf,
  dir: string,
  ref: string,
  numClasses: number,
  split: Split,
): Promise<SplitPredictions> {
  const signature = scoringSignature(dir);
  if (signature.numClasses !== numClasses) {
    throw new UserInputError(
      `baseline ${ref}: ${dir} scores ${signature.numClasses} classes, the candidate ${numClasses}`,
    );
  }
  return savedModelPredictions(tf, dir, signature, split);
}

/** The gate's verdict from both models' answers; `baselineAnswers` null when there is no baseline. */
export function gateResult(
  baseline: ResolvedBaseline,
  baselineAnswers: SplitPredictions | null,
  candidate: SplitPredictions,
  split: Split,
  maxRegression: number,
): BaselineGateResult {
  const candidateAccuracy = accuracyOf(candidate.classes, split.labels);
  const common = { candidate: { accuracy: candidateAccuracy }, samples: split.count, maxRegression };
  if (baselineAnswers === null) {
    return {
      baseline: { ref: baseline.ref, version: null, path: null, accuracy: null },
      ...common,
      delta: null,
      fixed: null,
      broken: null,
      pValue: null,
      passed: true,
      note: 'no baseline: the base path holds no version yet, so this first export passes',
    };
  }
  const baselineAccuracy = accuracyOf(baselineAnswers.classes, split.labels);
  const paired = pairedComparison(candidate.classes, baselineAnswers.classes, split.labels);
  return {
    baseline: {
      ref: baseline.ref,
      version: baseline.version,
      path: baseline.storedAt ?? baseline.dir,
      accuracy: baselineAccuracy,
    },
    ...common,
    delta: candidateAccuracy - baselineAccuracy,
    ...paired,
    // Compared in images (fixed − broken is the change in correct answers), so equal accuracies
    // never fail on a floating-point rounding of two fractions.
    passed: paired.fixed - paired.broken >= -maxRegression * split.count - 1e-9,
    note: null,
  };
}

/** One line for a refused candidate: both accuracies, the allowance, the paired counts. */
export function gateRefusal(result: BaselineGateResult, finalDir: string): string {
  const { baseline, candidate } = result;
  const which =
    baseline.version === null
      ? baseline.path
      : `version ${baseline.version}${baseline.ref === String(baseline.version) ? '' : `, ${baseline.ref}`}`;
  return (
    `candidate accuracy ${candidate.accuracy.toFixed(4)} is below baseline accuracy ${baseline.accuracy!.toFixed(4)} ` +
    `(${which}) minus the allowed regression ${result.maxRegression} ` +
    `(fixed ${result.fixed}, broken ${result.broken}, McNemar p = ${formatPValue(result.pValue!)}); ` +
    `${finalDir} was not published`
  );
}

export function formatPValue(p: number): string {
  return p >= 0.001 ? p.toFixed(3) : p.toExponential(1);
}

/** The human summary of a comparison, one line. */
export function describeGate(result: BaselineGateResult): string {
  if (result.note) return `baseline ${result.baseline.ref}: ${result.note}`;
  const sign = result.delta! >= 0 ? '+' : '';
  const which =
    result.baseline.version === null ? displayPath(result.baseline.path!) : `version ${result.baseline.version}`;
  const verdict = result.passed ? 'passed' : 'refused';
  return (
    `baseline ${result.baseline.ref} (${which}): ` +
    `${(result.baseline.accuracy! * 100).toFixed(2)}% -> candidate ${(result.candidate.accuracy * 100).toFixed(2)}% ` +
    `(${sign}${(result.delta! * 100).toFixed(2)} points), ` +
    `fixed ${result.fixed}, broken ${result.broken}, McNemar p = ${formatPValue(result.pValue!)}: ${verdict}`
  );
}

function displayPath(location: string): string {
  return isS3Uri(location) ? location : path.normalize(location);
}
