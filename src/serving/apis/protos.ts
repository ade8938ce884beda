/**
 * The gRPC services this server offers and its client calls — TF Serving's PredictionService and
 * ModelService, and the Open Inference Protocol's GRPCInferenceService — defined from the same
 * protobufjs schema and codec that write our files (../../formats/proto), so the paths on the
 * wire are the .proto files' own (/tensorflow.serving.PredictionService/Predict, …). Requests and
 * responses arrive as the generated `X__Output` types and are sent as the generated `X` types.
 */
import type * as grpc from '@grpc/grpc-js';
import { decodeMessage, encodeMessage, protoRoot } from '../../formats/proto/index.ts';

export type { ModelSpec, ModelSpec__Output } from '../../formats/proto/generated/tensorflow/serving/ModelSpec.ts';
export type {
  PredictRequest,
  PredictRequest__Output,
} from '../../formats/proto/generated/tensorflow/serving/PredictRequest.ts';
export type {
  PredictResponse,
  PredictResponse__Output,
} from '../../formats/proto/generated/tensorflow/serving/PredictResponse.ts';
export type {
  GetModelMetadataRequest,
  GetModelMetadataRequest__Output,
} from '../../formats/proto/generated/tensorflow/serving/GetModelMetadataRequest.ts';
export type {
  GetModelMetadataResponse,
  GetModelMetadataResponse__Output,
} from '../../formats/proto/generated/tensorflow/serving/GetModelMetadataResponse.ts';
export type {
  GetModelStatusRequest,
  GetModelStatusRequest__Output,
} from '../../formats/proto/generated/tensorflow/serving/GetModelStatusRequest.ts';
export type {
  GetModelStatusResponse,
  GetModelStatusResponse__Output,
} from '../../formats/proto/generated/tensorflow/serving/GetModelStatusResponse.ts';

export const PREDICTION_SERVICE = 'tensorflow.serving.PredictionService';
export const MODEL_SERVICE = 'tensorflow.serving.ModelService';

/** The only GetModelMetadata field TF Serving (and this server) knows. */
export const SIGNATURE_DEF_FIELD = 'signature_def';

export const SIGNATURE_DEF_MAP_TYPE = 'tensorflow.serving.SignatureDefMap';
/** google.protobuf.Any's type URL for a message type (Any::PackFrom's default prefix). */
export const SIGNATURE_DEF_MAP_TYPE_URL = `type.googleapis.com/${SIGNATURE_DEF_MAP_TYPE}`;

const definitions = new Map<string, grpc.ServiceDefinition>();

/**
 * A service's methods for grpc-js (`server.addService`, `makeGenericClientConstructor`): each
 * message crosses the wire through encodeMessage/decodeMessage. `originalName` is the
 * lowerCamel alias grpc-js also accepts (`predict` beside `Predict`), as proto-loader gives it.
 */
export function serviceDefinition(fullName: string): grpc.ServiceDefinition {
  const known = definitions.get(fullName);
  if (known) return known;
  const service = protoRoot().lookupService(fullName);
  const definition: Record<string, grpc.MethodDefinition<object, object>> = {};
  for (const method of service.methodsArray) {
    method.resolve();
    const request = method.resolvedRequestType!.fullName.slice(1);
    const response = method.resolvedResponseType!.fullName.slice(1);
    definition[method.name] = {
      path: `/${fullName}/${method.name}`,
      requestStream: Boolean(method.requestStream),
      responseStream: Boolean(method.responseStream),
      requestSerialize: (value: object) => Buffer.from(encodeMessage(request, value)),
      requestDeserialize: (bytes: Buffer) => decodeMessage(request, bytes),
      responseSerialize: (value: object) => Buffer.from(encodeMessage(response, value)),
      responseDeserialize: (bytes: Buffer) => decodeMessage(response, bytes),
      originalName: method.name.charAt(0).toLowerCase() + method.name.slice(1),
    };
  }
  definitions.set(fullName, definition);
  return definition;
}
