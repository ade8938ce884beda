/**
 * The Open Inference Protocol's gRPC service, inference.GRPCInferenceService (defined from
 * src/formats/proto/inference/grpc_service.proto by ../../apis/protos.ts, as TF Serving's services
 * are): its methods over the transport-independent v2 core (inference.ts).
 * ModelInfer takes typed `contents` or `raw_input_contents` (one entry per input, in order, never
 * both). It answers with `raw_output_contents` when the request sent raw inputs or sets the bool
 * parameter `binary_data_output` (false asks for typed contents whatever the inputs were).
 */
import type { InferTensorContents } from '../../../formats/proto/generated/inference/InferTensorContents.ts';
import type { ModelInferRequest__Output } from '../../../formats/proto/generated/inference/ModelInferRequest.ts';
import type { ModelMetadataRequest__Output } from '../../../formats/proto/generated/inference/ModelMetadataRequest.ts';
import type { ModelReadyRequest__Output } from '../../../formats/proto/generated/inference/ModelReadyRequest.ts';
import { invalidArgument } from '../../serving-errors.ts';
import type { CancelledCheck, PredictionService } from '../../predict/prediction-service.ts';
import { serverReadiness } from '../../lifecycle/readiness.ts';
import type { HostTensor } from '../../servable/host-tensor.ts';
import { checkedElementCount, isV2Datatype, rawBytes, tensorFromRaw, tensorFromValues } from './datatypes.ts';
import {
  infer,
  modelMetadata,
  modelReadiness,
  serverMetadata,
  SIGNATURE_PARAMETER,
  type InferInput,
} from './inference.ts';

export const INFERENCE_SERVICE_NAME = 'inference.GRPCInferenceService';
const BINARY_OUTPUT_PARAMETER = 'binary_data_output';

type Contents = InferTensorContents;
type InputTensorMessage = ModelInferRequest__Output['inputs'][number];
export type { ModelInferRequest__Output };
/** ModelReadyRequest and ModelMetadataRequest, which name a model the same way. */
export type ModelNameMessage = ModelReadyRequest__Output | ModelMetadataRequest__Output;

/** The typed field of InferTensorContents that holds each datatype. */
const CONTENTS_FIELD: Record<string, keyof InferTensorContents> = {
  BOOL: 'bool_contents',
  INT8: 'int_contents',
  INT16: 'int_contents',
  INT32: 'int_contents',
  INT64: 'int64_contents',
  UINT8: 'uint_contents',
  UINT16: 'uint_contents',
  UINT32: 'uint_contents',
  UINT64: 'uint64_contents',
  FP32: 'fp32_contents',
  FP64: 'fp64_contents',
  BYTES: 'bytes_contents',
};

/** Each method as (request message) → response message, throwing ServingErrors. */
export function inferenceMethods(service: PredictionService) {
  return {
    ServerLive: () => ({ live: true }),
    ServerReady: () => ({ ready: serverReadiness(service.registry).ready }),
    ModelReady: (request: ModelNameMessage) => ({
      ready: modelReadiness(service, request.name ?? '', request.version ?? '').ready,
    }),
    ServerMetadata: () => serverMetadata(),
    ModelMetadata: (request: ModelNameMessage) => modelMetadata(service, request.name ?? '', request.version ?? ''),
    ModelInfer: (request: ModelInferRequest__Output, isCancelled: CancelledCheck) =>
      modelInfer(service, request, isCancelled),
  };
}

async function modelInfer(service: PredictionService, request: ModelInferRequest__Output, isCancelled: CancelledCheck) {
  const raw = request.raw_input_contents ?? [];
  const messages = request.inputs ?? [];
  if (messages.length === 0) throw invalidArgument('the request has no inputs');
  if (raw.length > 0 && raw.length !== messages.length)
    throw invalidArgument(`raw_input_contents holds ${raw.length} entries for ${messages.length} inputs`);
  const parameters = request.parameters ?? {};
  const signature = parameters[SIGNATURE_PARAMETER];
  if (signature && signature.parameter_choice !== 'string_param')
    throw invalidArgument(`parameter ${SIGNATURE_PARAMETER} must be a string_param`);
  const binary = parameters[BINARY_OUTPUT_PARAMETER];
  if (binary && binary.parameter_choice !== 'bool_param')
    throw invalidArgument(`parameter ${BINARY_OUTPUT_PARAMETER} must be a bool_param`);
  const result = await infer(service, {
    modelName: request.model_name ?? '',
    modelVersion: request.model_version ?? '',
    ...(request.id && { id: request.id }),
    ...(signature && { signatureName: signature.string_param ?? '' }),
    inputs: messages.map((message, index) => inputOf(message, raw[index])),
    outputs: (request.outputs ?? []).map((output) => output.name ?? ''),
    isCancelled,
  });
  const rawOutputs = binary ? binary.bool_param === true : raw.length > 0;
  return {
    model_name: result.modelName,
    model_version: result.modelVersion,
    id: result.id ?? '',
    outputs: result.outputs.map((output) => ({
      name: output.name,
      datatype: output.datatype,
      shape: output.tensor.shape,
      ...(!rawOutputs && { contents: typedContents(output.datatype, output.tensor) }),
    })),
    raw_output_contents: rawOutputs ? result.outputs.map((output) => rawBytes(output.tensor)) : [],
  };
}

function inputOf(message: InputTensorMessage, raw: Buffer | undefined): InferInput {
  const name = message.name ?? '';
  const datatype = message.datatype ?? '';
  if (!isV2Datatype(datatype))
    throw invalidArgument(`input ${name}: datatype ${JSON.stringify(datatype)} is not one of the protocol's datatypes`);
  const shape = (message.shape ?? []).map(Number);
  checkedElementCount(name, shape);
  const field = CONTENTS_FIELD[datatype];
  const typed = field ? (message.contents?.[field] ?? []) : [];
  if (raw !== undefined) {
    if (typed.length > 0) throw invalidArgument(`input ${name}: has both contents and raw_input_contents`);
    return { name, datatype, shape, decode: () => tensorFromRaw(name, datatype, shape, raw) };
  }
  if (!field) throw invalidArgument(`input ${name}: ${datatype} must be sent in raw_input_contents`);
  const values = datatype === 'BYTES' ? (typed as Buffer[]).map((bytes) => bytes.toString('utf8')) : typed;
  return { name, datatype, shape, decode: () => tensorFromValues(name, datatype, shape, values) };
}

function typedContents(datatype: string, tensor: HostTensor): Contents {
  const field = CONTENTS_FIELD[datatype];
  if (!field) return {};
  const values = Array.from(tensor.values as ArrayLike<number | string>);
  if (datatype === 'BOOL') return { [field]: values.map(Boolean) };
  if (datatype === 'BYTES') return { [field]: values.map((text) => Buffer.from(String(text), 'utf8')) };
  return { [field]: values as number[] };
}
