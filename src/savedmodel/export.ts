/**
 * Exports trained weights as `BASE/N`, a SavedModel TF Serving loads as it is. The version is
 * built in a staging directory (a dot-prefixed sibling, which TF Serving ignores, or a local one
 * for an s3:// base path), verified there through the TensorFlow C API, gated on accuracy, and
 * only then published through storage/ (a rename, or S3's commit protocol); any failure removes
 * the staging directory and leaves `BASE/N` as it was (absent, or the old version under --force).
 * (a floor, and a baseline version it must not fall behind).
 * Staging directories that killed exports left behind (their process is gone) are removed first.
 */
import path from 'node:path';
import { field, fieldMessage, OperationalError, UserInputError } from '../errors.ts';
import type { Tf } from '../runtime/tf.ts';
import type { Split } from '../data/types.ts';
import { gatherBatch } from '../data/batches.ts';
import type { ModelSpec } from '../model/spec.ts';
import { openModelStore } from '../storage/open-model-store.ts';
import { isS3Uri } from '../storage/s3-location.ts';
import { servingModelContent } from './serving-model.ts';
import { summarizeSignatures, type SignatureNames, type SignatureSummary } from './signatures.ts';
import {
  checkBaselineRequest,
  compareWithBaseline,
  describeGate,
  fetchBaseline,
  gateRefusal,
  releaseBaseline,
  type BaselineGateResult,
  type BaselineRequest,
} from './baseline-gate.ts';
import { accuracyOf, savedModelPredictions, scoringSignature } from './predictions.ts';
import { verifySavedModel, type VerificationResult } from './verify.ts';
import { removeAbandonedStaging, type AbandonedStaging } from '../storage/versions.ts';
import { encodeWarmupRequests, MAX_WARMUP_REQUESTS, WARMUP_FILE } from './warmup.ts';
import { ASSETS_EXTRA_DIR, writeSavedModel } from './writer.ts';

/** What a signature name may hold: letters, digits and `_ . - /`, as TF Serving's clients send them. */
const PLAIN_NAME = /^[A-Za-z0-9_.\-/]+$/;

/** Images the verification runs through both signatures. */
export const VERIFY_IMAGES = 64;

export interface ExportRequest {
  spec: ModelSpec;
  weights: ReadonlyMap<string, Float32Array>;
  basePath: string;
  /** Default: one more than the highest existing version. */
  version?: number;
  /** Replace an existing `BASE/N` (still atomically). */
  force?: boolean;
  modelName: string;
  signatureNames: SignatureNames;
  verify: boolean;
  /** Refuse to publish when the SavedModel's test accuracy is below this (0–1). */
  minAccuracy?: number;
  /** Refuse to publish when the SavedModel is less accurate than this baseline (minus an allowance). */
  baseline?: BaselineRequest;
  warmupRequests: number;
  /** The test split: verification, accuracy and warmup images. Needed when any of them is on. */
  test?: Split;
  /** Loads TensorFlow; called only when verification or the accuracy gate needs it. */
  loadTf: () => Promise<Tf>;
  log?: (line: string) => void;
}

export interface ExportResult {
  modelName: string;
  version: number;
  path: string;
  replaced: boolean;
  signatures: SignatureSummary[];
  verification: VerificationResult | null;
  accuracy: { value: number; samples: number; minimum: number | null } | null;
  gate: BaselineGateResult | null;
  /** Requests alternate between the signatures named, main first. */
  warmup: { requests: number; file: string; signatures: string[] } | null;
  /** Staging directories of killed exports found in the base path. */
  abandonedStaging: AbandonedStaging;
  durationMs: number;
}

export async function exportSavedModel(request: ExportRequest): Promise<ExportResult> {
  const started = performance.now();
  const log = request.log ?? (() => {});
  validate(request);
  const store = openModelStore(request.basePath);
  const test = request.test;
  const warmupCount = Math.min(request.warmupRequests, test?.count ?? 0);
  const content = servingModelContent(request.spec, request.weights, {
    signatureNames: request.signatureNames,
    assetsExtra: warmupCount > 0 ? { [WARMUP_FILE]: warmupFile(request, test!, warmupCount) } : undefined,
  });
  let verification: VerificationResult | null = null;
  let accuracy: ExportResult['accuracy'] = null;
  const abandonedStaging = removeAbandonedStaging(request.basePath);
  const abandonedLine = describeAbandoned(abandonedStaging);
  if (abandonedLine) log(abandonedLine);
  let gate: BaselineGateResult | null = null;
  // Before anything is staged, so that `latest` is what served when the export started.
  const baseline = request.baseline && (await fetchBaseline(request.baseline, request.basePath));

  const published = await store
    .publishVersion({
      version: request.version,
      force: request.force,
      log,
      build: async (staging) => {
        writeSavedModel(staging, content);
        log(`wrote SavedModel to ${staging}`);
        if (!request.verify && request.minAccuracy === undefined && !baseline) return;
        const tf = await request.loadTf();
        if (request.verify) {
          const batch = gatherBatch(test!, null, 0, VERIFY_IMAGES);
          verification = await verifySavedModel(
            tf,
            staging,
            request.spec,
            request.weights,
            batch.images,
            batch.count,
            request.signatureNames,
          );
          log(
            `verified ${verification.signatures.join(', ')} on ${batch.count} images: ` +
              `max |Δ| ${verification.maxAbsDiff.toExponential(2)}`,
          );
          if (!verification.passed) {
            throw new OperationalError(
              `verification failed: the SavedModel differs from the model (max |Δ| ${verification.maxAbsDiff}, ` +
                `tolerance ${verification.tolerance}, ` +
                `classes ${verification.classesAgree ? 'agree' : 'differ'}); nothing was published`,
            );
          }
        }
        if (request.minAccuracy === undefined && !baseline) return;
        const predictions = await savedModelPredictions(
          tf,
          staging,
          scoringSignature(staging, request.signatureNames.main),
          test!,
        );
        if (request.minAccuracy !== undefined) {
          const value = accuracyOf(predictions.classes, test!.labels);
          accuracy = { value, samples: test!.count, minimum: request.minAccuracy };
          log(`test accuracy of the SavedModel: ${(value * 100).toFixed(2)}% on ${test!.count} images`);
          if (value < request.minAccuracy) {
            throw new OperationalError([
              ...fieldMessage`test accuracy ${value.toFixed(4)} is below ${field('minAccuracy', request.minAccuracy)}`,
              `; nothing was published under ${store.location}`,
            ]);
          }
        }
        if (baseline) {
          const result = await compareWithBaseline(tf, baseline, predictions, test!, request.baseline!);
          gate = result;
          log(describeGate(result));
          if (!result.passed) throw new OperationalError(gateRefusal(result, store.location), { gate: result });
        }
      },
    })
    .finally(() => baseline && releaseBaseline(baseline));

  return {
    modelName: request.modelName,
    version: published.version,
    path: published.location,
    replaced: published.replaced,
    signatures: summarizeSignatures(content.signatures),
    verification,
    accuracy,
    gate,
    warmup:
      warmupCount > 0
        ? {
            requests: warmupCount,
            file: joinLocation(published.location, ASSETS_EXTRA_DIR, WARMUP_FILE),
            signatures: warmupSignatures(request),
          }
        : null,
    abandonedStaging,
    durationMs: Math.round(performance.now() - started),
  };
}

function validate(request: ExportRequest): void {
  const { minAccuracy, warmupRequests } = request;
  if (request.baseline) checkBaselineRequest(request.baseline);
  if (minAccuracy !== undefined && !(minAccuracy >= 0 && minAccuracy <= 1)) {
    throw new UserInputError(fieldMessage`${field('minAccuracy')} must be between 0 and 1, got ${minAccuracy}`);
  }
  if (!Number.isInteger(warmupRequests) || warmupRequests < 0 || warmupRequests > MAX_WARMUP_REQUESTS) {
    throw new UserInputError([
      ...fieldMessage`${field('warmupRequests')} must be an integer from 0 to ${MAX_WARMUP_REQUESTS} `,
      `(TF Serving's limit), got ${warmupRequests}`,
    ]);
  }
  for (const [role, name] of Object.entries(request.signatureNames)) {
    if (!PLAIN_NAME.test(name))
      throw new UserInputError(
        `the ${role} signature's name must be a plain name (letters, digits, _ . - /), got "${name}"`,
      );
  }
  const { main, decoded } = request.signatureNames;
  if (main === decoded)
    throw new UserInputError(`the main and the decoded signature need different names; both are "${main}"`);
  if (
    (request.verify || minAccuracy !== undefined || request.baseline || warmupRequests > 0) &&
    (!request.test || request.test.count === 0)
  ) {
    throw new UserInputError([
      ...fieldMessage`verification, ${field('minAccuracy')}, ${field('baseline')} and warmup requests `,
      'need test images; the dataset has none ',
      ...fieldMessage`(use ${field('verify', false)} ${field('warmupRequests', 0)})`,
    ]);
  }
}

function warmupFile(request: ExportRequest, test: Split, count: number): Uint8Array {
  const batch = gatherBatch(test, null, 0, count);
  return encodeWarmupRequests(batch.images, batch.count, {
    modelName: request.modelName,
    signatureNames: warmupSignatures(request),
    inputKey: 'image',
    imageShape: [...request.spec.inputShape],
  });
}

function warmupSignatures(request: ExportRequest): string[] {
  return [request.signatureNames.main, request.signatureNames.decoded];
}

/** One line for the log, or '' when the base path held no abandoned staging directory. */
function describeAbandoned({ removed, failed }: AbandonedStaging): string {
  const parts = [
    ...(removed.length > 0
      ? [
          `removed ${removed.length} staging ${removed.length === 1 ? 'directory' : 'directories'} ` +
            `left by killed exports: ${removed.join(', ')}`,
        ]
      : []),
    ...(failed.length > 0 ? [`could not remove ${failed.map((f) => `${f.path} (${f.reason})`).join(', ')}`] : []),
  ];
  return parts.join('; ');
}

/** A file inside a published version: an s3:// URI or a local path. */
function joinLocation(location: string, ...parts: string[]): string {
  return isS3Uri(location) ? [location, ...parts].join('/') : path.join(location, ...parts);
}
