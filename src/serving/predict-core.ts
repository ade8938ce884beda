/**
 * The serving API without a transport: Predict, GetModelStatus and GetModelMetadata as TF
 * Serving's PredictionService and ModelService define them. REST (rest-server.ts) and gRPC call
 * these and map the ServingErrors they throw to status codes. Every request is checked against
 * its signature (names, dtypes, shapes, sizes) before it reaches the engine or a batch.
 */
import type { DataTypeName, SignatureDef, TensorInfo } from '../formats/proto/types.ts';
import { Batcher, type BatchingParameters } from './batcher.ts';
import { invalidArgument, ServingError } from './errors.ts';
import type { LoadedVersion } from './loaded-version.ts';
import type { ModelRegistry } from './model-registry.ts';
import type { ServingMetrics } from './metrics.ts';
import { declaredShape, DEFAULT_SIGNATURE } from './signatures.ts';
import { elementCount, FEEDABLE_DTYPES, shapeString, type TensorMap } from './tensor.ts';
import type { VersionStatus } from './version-manager.ts';

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

/** Inputs, or a function building them from the signature's inputs (REST needs dtypes to parse JSON). */
export type PredictInputs = TensorMap | ((inputs: Record<string, TensorInfo>) => TensorMap);

export interface PredictResult {
  modelSpec: ResolvedModelSpec;
  outputs: TensorMap;
}

export interface ModelMetadata {
  modelSpec: ResolvedModelSpec;
  signatureDefs: Record<string, SignatureDef>;
}

export class PredictionService {
  private readonly batchers = new WeakMap<LoadedVersion, Map<string, Batcher>>();

  constructor(
    readonly registry: ModelRegistry,
    private readonly options: { batching?: BatchingParameters; metrics?: ServingMetrics } = {},
  ) {}

  async predict(spec: ModelSpecRequest, inputs: PredictInputs, outputFilter: string[] = []): Promise<PredictResult> {
    const lease = this.registry.acquire(spec.name, selectorOf(spec));
    try {
      const loaded = lease.loaded;
      const signatureName = spec.signatureName || DEFAULT_SIGNATURE;
      const signature = loaded.signatures[signatureName];
      if (!signature) throw invalidArgument(`Serving signature name: "${signatureName}" not found in signature def`);
      const tensors = typeof inputs === 'function' ? inputs(signature.inputs ?? {}) : inputs;
      const rows = validateInputs(signature, tensors);
      const wanted = validateOutputFilter(signature, outputFilter);
      const batcher = rows ? this.batcherFor(loaded, signatureName) : undefined;
      const outputs = batcher ? await batcher.submit(tensors, rows!) : loaded.run(signatureName, tensors);
      const filtered = wanted ? Object.fromEntries(wanted.map((name) => [name, outputs[name]!])) : outputs;
      return { modelSpec: { name: spec.name, version: loaded.version, signatureName }, outputs: filtered };
    } finally {
      lease.release();
    }
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
    if (!bySignature) this.batchers.set(loaded, (bySignature = new Map()));
    let batcher = bySignature.get(signatureName);
    if (!batcher) {
      const metrics = this.options.metrics;
      const model = loaded.modelName;
      batcher = new Batcher(params, (inputs) => loaded.run(signatureName, inputs), metrics && {
        batchRan: (rows) => metrics.batchRan(model, rows),
        queueDepthChanged: (delta) => metrics.queueDepthChanged(model, delta),
      });
      bySignature.set(signatureName, batcher);
    }
    return batcher;
  }
}

function selectorOf(spec: ModelSpecRequest): { version?: number; label?: string } {
  if (spec.version !== undefined && spec.versionLabel !== undefined) {
    throw invalidArgument(`Both model version (${spec.version}) and model version label (${spec.versionLabel}) cannot be supplied.`);
  }
  return { version: spec.version, label: spec.versionLabel };
}

/** Checks that the request names exactly the signature's inputs; returns those names, sorted. */
export function validateInputNames(signature: SignatureDef, names: string[]): string[] {
  const expected = Object.keys(signature.inputs ?? {}).sort();
  const sent = [...names].sort();
  const extra = sent.filter((name) => !expected.includes(name));
  const missing = expected.filter((name) => !sent.includes(name));
  if (extra.length > 0 || missing.length > 0) {
    throw invalidArgument(
      `input size does not match signature: ${sent.length}!=${expected.length} len({${sent.join(',')}}) != len({${expected.join(',')}}). ` +
        `Sent extra: {${extra.join(',')}}. Missing but required: {${missing.join(',')}}.`,
    );
  }
  return expected;
}

/** An input's dtype must be the signature's (checked before its bytes are decoded). */
export function validateInputDtype(name: string, info: TensorInfo, dtype: DataTypeName): void {
  if (dtype !== info.dtype) throw invalidArgument(`input ${name}: expected dtype ${info.dtype}, got ${dtype}`);
}

/**
 * Checks inputs against the signature: the same names, each with the declared dtype, rank and
 * fixed dimensions, and as many values as its shape holds. Returns the batch size (shared
 * dimension 0) when every input is batched along dimension 0, else undefined.
 */
export function validateInputs(signature: SignatureDef, inputs: TensorMap): number | undefined {
  const expected = validateInputNames(signature, Object.keys(inputs));
  let rows: number | undefined;
  let batched = true;
  for (const name of expected) {
    const info = signature.inputs![name]!;
    const tensor = inputs[name]!;
    validateInputDtype(name, info, tensor.dtype);
    if (!FEEDABLE_DTYPES.includes(tensor.dtype)) {
      throw new ServingError('UNIMPLEMENTED', `input ${name}: dtype ${tensor.dtype} is not supported by this server`);
    }
    if (tensor.values.length !== elementCount(tensor.shape)) {
      throw invalidArgument(`input ${name}: ${tensor.values.length} values for shape ${shapeString(tensor.shape)}`);
    }
    const shape = declaredShape(info);
    if (shape) {
      const fits = shape.length === tensor.shape.length && shape.every((size, i) => size < 0 || size === tensor.shape[i]);
      if (!fits) throw invalidArgument(`input ${name}: expected shape ${shapeString(shape)}, got ${shapeString(tensor.shape)}`);
    }
    if (!shape || shape.length === 0 || shape[0]! >= 0) {
      batched = false;
      continue;
    }
    if (rows !== undefined && tensor.shape[0] !== rows) {
      throw invalidArgument(`input ${name}: has ${tensor.shape[0]} rows, other inputs ${rows}; inputs must have equal 0th-dimension size`);
    }
    rows = tensor.shape[0];
  }
  return batched ? rows : undefined;
}

function validateOutputFilter(signature: SignatureDef, filter: string[]): string[] | undefined {
  if (filter.length === 0) return undefined;
  for (const name of filter) {
    if (!signature.outputs?.[name]) throw invalidArgument(`output tensor alias not found in signature: ${name}`);
  }
  return filter;
}
