/**
 * The Open Inference Protocol ("KServe v2") over the serving core, without a transport: server
 * and model metadata, model readiness and inference. REST (rest-routes.ts) and gRPC
 * (grpc-service.ts) decode their requests into an InferRequest and encode the InferResult; both
 * run through the same PredictionService as TF Serving's API, so they share loaded versions,
 * batchers, validation and the typed ServingErrors that each transport maps to its statuses.
 *
 * Versions: the protocol's version is a string; here it is a version number, or one of the
 * model's version labels, or empty for the newest AVAILABLE version.
 * Signatures: the request parameter `signature_name` picks one (default serving_default).
 */
import { createRequire } from 'node:module';
import type { TensorInfo__Output } from '../../../formats/proto/types.ts';
import { invalidArgument, notFound, ServingError } from '../../serving-errors.ts';
import type {
  CancelledCheck,
  DecodeContext,
  ModelSpecRequest,
  PredictionService,
} from '../../predict/prediction-service.ts';
import type { HostTensor, TensorMap } from '../../servable/host-tensor.ts';
import { tfDtype, v2Datatype } from './datatypes.ts';
import { DEFAULT_SIGNATURE_NAME } from '../../../formats/tensorflow/constants.ts';
import { shapeDims } from '../../../formats/tensorflow/shape.ts';

/** The request parameter (REST `parameters`, gRPC `parameters` string_param) naming the signature. */
export const SIGNATURE_PARAMETER = 'signature_name';
/** Triton's platform name for a TensorFlow SavedModel, which v2 clients recognise. */
export const PLATFORM = 'tensorflow_savedmodel';
export const SERVER_NAME = 'mnist-serve';
/** Protocol extensions this server speaks (Triton's names). */
export const EXTENSIONS = ['binary_tensor_data'];

export interface InferInput {
  name: string;
  datatype: string;
  shape: number[];
  /** The tensor; called only once the model, signature, name and datatype are known to fit. */
  decode(): HostTensor;
}

export interface InferRequest {
  modelName: string;
  /** '' for the newest version. */
  modelVersion: string;
  id?: string;
  signatureName?: string;
  inputs: InferInput[];
  /** Outputs to return, in this order; empty: every output, sorted by name. */
  outputs: string[];
  /** Whether the client has gone; such a request is not run. */
  isCancelled?: CancelledCheck;
}

export interface InferOutput {
  name: string;
  datatype: string;
  tensor: HostTensor;
}

export interface InferResult {
  modelName: string;
  modelVersion: string;
  id?: string;
  outputs: InferOutput[];
}

export interface TensorMetadata {
  name: string;
  datatype: string;
  shape: number[];
}

export interface ModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
}

const { version: SERVER_VERSION } = createRequire(import.meta.url)('../../../../package.json') as { version: string };

export function serverMetadata(): { name: string; version: string; extensions: string[] } {
  return { name: SERVER_NAME, version: SERVER_VERSION, extensions: EXTENSIONS };
}

/** The core's ModelSpec for a protocol model name and version string. */
export function modelSpec(name: string, version: string, signatureName?: string): ModelSpecRequest {
  if (!name) throw invalidArgument('missing model name');
  const spec: ModelSpecRequest = { name, signatureName };
  if (/^\d+$/.test(version)) spec.version = Number(version);
  else if (version !== '') spec.versionLabel = version;
  return spec;
}

export async function infer(service: PredictionService, request: InferRequest): Promise<InferResult> {
  const spec = modelSpec(request.modelName, request.modelVersion, request.signatureName);
  const repeated = (names: string[]) => names.find((name, i) => names.indexOf(name) !== i);
  const twiceIn = repeated(request.inputs.map((input) => input.name));
  if (twiceIn !== undefined) throw invalidArgument(`input ${twiceIn} is given twice`);
  const twiceOut = repeated(request.outputs);
  if (twiceOut !== undefined) throw invalidArgument(`output ${twiceOut} is requested twice`);
  // Nothing is decoded before the core has checked the declared names, datatypes and shapes against
  // the signature and the request limits, and admitted the rows (context.admit).
  const decode = (signatureInputs: Record<string, TensorInfo__Output>, context: DecodeContext): TensorMap => {
    for (const input of request.inputs) {
      const expected = signatureInputs[input.name]?.dtype;
      if (expected !== undefined && tfDtype(input.datatype) !== expected) {
        throw invalidArgument(`input ${input.name}: expected datatype ${v2Datatype(expected)}, got ${input.datatype}`);
      }
    }
    context.admit(
      Object.fromEntries(
        request.inputs.map((input) => [input.name, { dtype: tfDtype(input.datatype)!, shape: input.shape }]),
      ),
    );
    return Object.fromEntries(request.inputs.map((input) => [input.name, input.decode()]));
  };
  const result = await service.predict(spec, decode, request.outputs, request.isCancelled);
  const names = request.outputs.length > 0 ? request.outputs : Object.keys(result.outputs).sort();
  return {
    modelName: request.modelName,
    modelVersion: String(result.modelSpec.version),
    ...(request.id !== undefined && { id: request.id }),
    outputs: names.map((name) => ({
      name,
      datatype: v2Datatype(result.outputs[name]!.dtype),
      tensor: result.outputs[name]!,
    })),
  };
}

/** The default signature's tensors (the one `infer` runs unless asked otherwise). */
export function modelMetadata(service: PredictionService, name: string, version: string): ModelMetadata {
  const metadata = service.metadata(modelSpec(name, version));
  const signature = metadata.signatureDefs[DEFAULT_SIGNATURE_NAME];
  if (!signature)
    throw new ServingError(
      'FAILED_PRECONDITION',
      `model ${name} has no ${DEFAULT_SIGNATURE_NAME} signature to describe`,
    );
  const tensors = (map: Record<string, TensorInfo__Output> = {}): TensorMetadata[] =>
    Object.keys(map)
      .sort()
      .map((alias) => ({
        name: alias,
        datatype: v2Datatype(map[alias]!.dtype),
        shape: shapeDims(map[alias]!.tensor_shape) ?? [],
      }));
  const versions = service.registry
    .statusesOf(name)
    .filter((status) => status.state === 'AVAILABLE')
    .map((status) => String(status.version))
    .reverse();
  return { name, versions, platform: PLATFORM, inputs: tensors(signature.inputs), outputs: tensors(signature.outputs) };
}

/**
 * Whether the version a request for (name, version) would run on is AVAILABLE. A model that is not
 * configured is NOT_FOUND (an error, not "not ready"); an unknown label INVALID_ARGUMENT.
 */
export function modelReadiness(
  service: PredictionService,
  name: string,
  version: string,
): { ready: boolean; reason?: string } {
  const spec = modelSpec(name, version);
  if (!service.registry.has(name)) throw notFound(`Model ${name} is not served by this server`);
  try {
    service.registry.acquire(name, { version: spec.version, label: spec.versionLabel }).release();
    return { ready: true };
  } catch (error) {
    if (error instanceof ServingError && error.code === 'NOT_FOUND') return { ready: false, reason: error.message };
    throw error;
  }
}
