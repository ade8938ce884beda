/**
 * The serving API without a transport: Predict, GetModelStatus and GetModelMetadata as TF
 * Serving's PredictionService and ModelService define them. REST (rest-server.ts) and gRPC call
 * these and map the ServingErrors they throw to status codes. Every request is checked against
 * its signature and the request limits (names, dtypes, shapes, rows: request-limits.ts) from its
 * declared shapes, before its values are allocated, and admitted against the rows in flight
 * before it reaches the engine or a batch; one whose client gave up meanwhile is not run.
 */
import type { DataTypeName, SignatureDef__Output, TensorInfo__Output } from '../../formats/proto/types.ts';
import { DEFAULT_SIGNATURE_NAME } from '../../formats/tensorflow/constants.ts';
import { shapeDims } from '../../formats/tensorflow/shape.ts';
import { Batcher, type BatchingParameters } from '../batching/batcher.ts';
import { cancelled, invalidArgument, ServingError } from '../serving-errors.ts';
import type { LoadedVersion } from '../servable/loaded-version.ts';
import type { ModelRegistry } from '../lifecycle/model-registry.ts';
import type { ServingMetrics } from '../monitoring/metrics.ts';
import {
  checkDimensions,
  checkRequestRows,
  checkValueCount,
  defaultRequestLimits,
  RowAdmission,
  type RequestLimits,
} from '../servable/request-limits.ts';
import { allocateValues, elementCount, FEEDABLE_DTYPES, shapeString, type TensorMap } from '../servable/host-tensor.ts';
import type { VersionStatus } from '../lifecycle/version-manager.ts';

/** A request's ModelSpec: version and versionLabel are alternatives (neither: the newest). */
export interface ModelSpecRequest {
  name: string;
  version?: number;
  versionLabel?: string;
  signatureName?: string;
}

/** The ModelSpec an answer reports: the version that ran and the signature (defaulted) it ran. */
export interface ResolvedModelSpec {
  name: string;
  version: number;
  signatureName: string;
}

/** Each input's dtype and shape as the request declares them, before any value is decoded. */
export type DeclaredInputs = Record<string, { dtype: DataTypeName; shape: number[] }>;

export interface DecodeContext {
  limits: RequestLimits;
  /**
   * Checks the declared inputs against the signature and the limits and admits the request's
   * rows (RESOURCE_EXHAUSTED when too many are in flight). A decoder calls it before allocating.
   */
  admit(declared: DeclaredInputs): void;
}

/**
 * Inputs, or a function building them from the signature's inputs (REST needs dtypes to parse
 * JSON); one that can read the declared shapes first calls `context.admit` before decoding.
 */
export type PredictInputs =
  | TensorMap
  | ((inputs: Record<string, TensorInfo__Output>, context: DecodeContext) => TensorMap);

/** True once the request's client has given up (gRPC deadline or cancellation, REST connection closed). */
export type CancelledCheck = () => boolean;

export interface PredictResult {
  modelSpec: ResolvedModelSpec;
  outputs: TensorMap;
}

export interface ModelMetadata {
  modelSpec: ResolvedModelSpec;
  signatureDefs: Record<string, SignatureDef__Output>;
}

export interface PredictionServiceOptions {
  batching?: BatchingParameters;
  metrics?: ServingMetrics;
  /** By default max_batch_size rows per request with batching, DEFAULT_MAX_REQUEST_ROWS without. */
  limits?: RequestLimits;
}

export class PredictionService {
  private readonly batchers = new WeakMap<LoadedVersion, Map<string, Batcher>>();
  readonly limits: RequestLimits;
  readonly admission: RowAdmission;

  constructor(
    readonly registry: ModelRegistry,
    private readonly options: PredictionServiceOptions = {},
  ) {
    this.limits = options.limits ?? defaultRequestLimits(options.batching?.maxBatchSize);
    this.admission = new RowAdmission(this.limits.maxInFlightRows);
  }

  async predict(
    spec: ModelSpecRequest,
    inputs: PredictInputs,
    outputFilter: string[] = [],
    isCancelled: CancelledCheck = () => false,
  ): Promise<PredictResult> {
    const lease = this.registry.acquire(spec.name, selectorOf(spec));
    let release: (() => void) | undefined;
    try {
      const loaded = lease.loaded;
      const signatureName = spec.signatureName || DEFAULT_SIGNATURE_NAME;
      const signature = loaded.signatures[signatureName];
      if (!signature) throw invalidArgument(`Serving signature name: "${signatureName}" not found in signature def`);
      let rows: number | undefined;
      const admit = (declared: DeclaredInputs) => {
        if (release) return;
        rows = validateDeclaredInputs(signature, declared, this.limits);
        release = this.admission.admit(rows ?? 1);
      };
      const tensors =
        typeof inputs === 'function' ? inputs(signature.inputs ?? {}, { limits: this.limits, admit }) : inputs;
      admit(declaredOf(tensors));
      validateValueCounts(tensors);
      const wanted = validateOutputFilter(signature, outputFilter);
      const outputs =
        rows === 0
          ? emptyOutputs(signature, wanted)
          : await this.run(loaded, signatureName, tensors, rows, isCancelled);
      const filtered = wanted ? Object.fromEntries(wanted.map((name) => [name, outputs[name]!])) : outputs;
      return { modelSpec: { name: spec.name, version: loaded.version, signatureName }, outputs: filtered };
    } finally {
      release?.();
      lease.release();
    }
  }

  private async run(
    loaded: LoadedVersion,
    signatureName: string,
    tensors: TensorMap,
    rows: number | undefined,
    isCancelled: CancelledCheck,
  ): Promise<TensorMap> {
    const batcher = rows ? this.batcherFor(loaded, signatureName) : undefined;
    if (batcher) return batcher.submit(tensors, rows!, isCancelled);
    // One turn of the event loop first: requests read in the same turn then run one after
    // another, and the close or deadline of a client that gave up meanwhile has been seen.
    await new Promise((resolve) => setImmediate(resolve));
    if (isCancelled()) throw cancelled();
    return loaded.run(signatureName, tensors);
  }

  status(spec: ModelSpecRequest): VersionStatus[] {
    return this.registry.status(spec.name, selectorOf(spec));
  }

  /** GetModelMetadata with metadata_field "signature_def" (the only field TF Serving supports). */
  metadata(spec: ModelSpecRequest): ModelMetadata {
    const lease = this.registry.acquire(spec.name, selectorOf(spec));
    try {
      const { version, signatures } = lease.loaded;
      return { modelSpec: { name: spec.name, version, signatureName: '' }, signatureDefs: signatures };
    } finally {
      lease.release();
    }
  }

  private batcherFor(loaded: LoadedVersion, signatureName: string): Batcher | undefined {
    const params = this.options.batching;
    if (!params) return undefined;
    let bySignature = this.batchers.get(loaded);
    if (!bySignature) {
      bySignature = new Map();
      this.batchers.set(loaded, bySignature);
    }
    let batcher = bySignature.get(signatureName);
    if (!batcher) {
      const metrics = this.options.metrics;
      const model = loaded.modelName;
      batcher = new Batcher(
        params,
        (inputs) => loaded.run(signatureName, inputs),
        metrics && {
          batchRan: (rows) => metrics.batchRan(model, rows),
          queueDepthChanged: (delta) => metrics.queueDepthChanged(model, delta),
        },
      );
      bySignature.set(signatureName, batcher);
    }
    return batcher;
  }
}

function selectorOf(spec: ModelSpecRequest): { version?: number; label?: string } {
  if (spec.version !== undefined && spec.versionLabel !== undefined) {
    throw invalidArgument(
      `Both model version (${spec.version}) and model version label (${spec.versionLabel}) cannot be supplied.`,
    );
  }
  return { version: spec.version, label: spec.versionLabel };
}

/** Checks that the request names exactly the signature's inputs; returns those names, sorted. */
function validateInputNames(signature: SignatureDef__Output, names: string[]): string[] {
  const expected = Object.keys(signature.inputs ?? {}).sort();
  const sent = [...names].sort();
  const extra = sent.filter((name) => !expected.includes(name));
  const missing = expected.filter((name) => !sent.includes(name));
  if (extra.length > 0 || missing.length > 0) {
    throw invalidArgument(
      'input size does not match signature: ' +
        `${sent.length}!=${expected.length} len({${sent.join(',')}}) != len({${expected.join(',')}}). ` +
        `Sent extra: {${extra.join(',')}}. Missing but required: {${missing.join(',')}}.`,
    );
  }
  return expected;
}

function declaredOf(tensors: TensorMap): DeclaredInputs {
  return Object.fromEntries(
    Object.entries(tensors).map(([name, tensor]) => [name, { dtype: tensor.dtype, shape: tensor.shape }]),
  );
}

/**
 * Checks declared inputs against the signature and the limits: the same names, each with the
 * declared dtype, sane dimensions, the signature's rank and fixed dimensions, and no more rows
 * than a request may carry. Returns the batch size (shared dimension 0) when every input is
 * batched along dimension 0, else undefined.
 */
export function validateDeclaredInputs(
  signature: SignatureDef__Output,
  inputs: DeclaredInputs,
  limits: RequestLimits,
): number | undefined {
  const expected = validateInputNames(signature, Object.keys(inputs));
  let rows: number | undefined;
  let batched = true;
  for (const name of expected) {
    const info = signature.inputs![name]!;
    const { dtype, shape } = inputs[name]!;
    if (dtype !== info.dtype) throw invalidArgument(`input ${name}: expected dtype ${info.dtype}, got ${dtype}`);
    if (!FEEDABLE_DTYPES.includes(dtype)) {
      throw new ServingError('UNIMPLEMENTED', `input ${name}: dtype ${dtype} is not supported by this server`);
    }
    checkDimensions(name, shape);
    const expectedShape = shapeDims(info.tensor_shape);
    if (expectedShape) {
      const fits =
        expectedShape.length === shape.length && expectedShape.every((size, i) => size < 0 || size === shape[i]);
      if (!fits)
        throw invalidArgument(`input ${name}: expected shape ${shapeString(expectedShape)}, got ${shapeString(shape)}`);
    }
    const batchedInput = expectedShape !== null && expectedShape.length > 0 && expectedShape[0]! < 0;
    if (batchedInput) {
      if (rows !== undefined && shape[0] !== rows) {
        throw invalidArgument(
          `input ${name}: has ${shape[0]} rows, other inputs ${rows}; inputs must have equal 0th-dimension size`,
        );
      }
      checkRequestRows(name, shape[0]!, limits);
      rows = shape[0];
    } else {
      batched = false;
    }
    checkValueCount(name, shape);
  }
  return batched ? rows : undefined;
}

function validateValueCounts(inputs: TensorMap): void {
  for (const [name, tensor] of Object.entries(inputs)) {
    if (tensor.values.length !== elementCount(tensor.shape)) {
      throw invalidArgument(`input ${name}: ${tensor.values.length} values for shape ${shapeString(tensor.shape)}`);
    }
  }
}

/**
 * The answer to a request of 0 rows, as TensorFlow computes it for an empty batch: every output
 * with 0 rows. The engine is not asked (tfjs-node mis-feeds empty tensors), so this needs each
 * output's per-row shape from the signature; without it the request is refused.
 */
function emptyOutputs(signature: SignatureDef__Output, wanted: string[] | undefined): TensorMap {
  const outputs: TensorMap = {};
  for (const name of wanted ?? Object.keys(signature.outputs ?? {})) {
    const info = signature.outputs![name]!;
    const shape = shapeDims(info.tensor_shape);
    if (!shape || shape[0] !== -1 || shape.slice(1).some((size) => size < 0)) {
      throw invalidArgument(
        `the request has 0 rows, and output ${name} has no fixed per-row shape to answer an empty batch with`,
      );
    }
    const dtype = info.dtype ?? 'DT_INVALID';
    outputs[name] = { dtype, shape: [0, ...shape.slice(1)], values: allocateValues(dtype, 0) };
  }
  return outputs;
}

function validateOutputFilter(signature: SignatureDef__Output, filter: string[]): string[] | undefined {
  if (filter.length === 0) return undefined;
  for (const name of filter) {
    if (!signature.outputs?.[name]) throw invalidArgument(`output tensor alias not found in signature: ${name}`);
  }
  return filter;
}
