/**
 * TF Serving's gRPC services loaded by @grpc/proto-loader from the project's own .proto files
 * (src/formats/proto, under TF Serving's import paths and package names), so the service paths
 * on the wire are TF Serving's: /tensorflow.serving.PredictionService/Predict and so on.
 * Messages arrive as plain objects shaped like ../../formats/proto/types.ts: snake_case fields,
 * enums as names, int64 as numbers, bytes as Buffers.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { TensorProto } from '../../formats/proto/types.ts';
import { PROTO_ROOT } from '../../formats/proto/index.ts';

export const SERVICE_PROTO_FILES = ['tensorflow_serving/apis/prediction_service.proto', 'tensorflow_serving/apis/model_service.proto'];

export const LOADER_OPTIONS: protoLoader.Options = {
  includeDirs: [PROTO_ROOT],
  keepCase: true,
  longs: Number,
  enums: String,
  oneofs: true,
  arrays: true,
};

export interface ModelSpecMessage {
  name?: string;
  version?: { value?: number | string } | null;
  version_label?: string;
  signature_name?: string;
  /** Which member of the version oneof is set (proto-loader's `oneofs`). */
  version_choice?: 'version' | 'version_label';
}

export interface PredictRequestMessage {
  model_spec?: ModelSpecMessage | null;
  inputs?: Record<string, TensorProto>;
  output_filter?: string[];
}

export interface PredictResponseMessage {
  model_spec: ModelSpecMessage;
  outputs: Record<string, TensorProto>;
}

export interface GetModelMetadataRequestMessage {
  model_spec?: ModelSpecMessage | null;
  metadata_field?: string[];
}

export interface AnyMessage {
  type_url: string;
  value: Uint8Array;
}

export interface GetModelMetadataResponseMessage {
  model_spec: ModelSpecMessage;
  metadata: Record<string, AnyMessage>;
}

export interface GetModelStatusRequestMessage {
  model_spec?: ModelSpecMessage | null;
}

export interface ModelVersionStatusMessage {
  version: number;
  state: string;
  status: { error_code: string; error_message: string };
}

export interface GetModelStatusResponseMessage {
  model_version_status: ModelVersionStatusMessage[];
}

/** The only GetModelMetadata field TF Serving (and this server) knows. */
export const SIGNATURE_DEF_FIELD = 'signature_def';

export const SIGNATURE_DEF_MAP_TYPE = 'tensorflow.serving.SignatureDefMap';
/** google.protobuf.Any's type URL for a message type (Any::PackFrom's default prefix). */
export const SIGNATURE_DEF_MAP_TYPE_URL = `type.googleapis.com/${SIGNATURE_DEF_MAP_TYPE}`;

interface ServingPackage {
  PredictionService: grpc.ServiceClientConstructor;
  ModelService: grpc.ServiceClientConstructor;
}

let services: ServingPackage | undefined;

/** The two services (their definitions for a server, their constructors for a client). */
export function servingServices(): ServingPackage {
  if (services) return services;
  const definition = protoLoader.loadSync(SERVICE_PROTO_FILES, LOADER_OPTIONS);
  const loaded = grpc.loadPackageDefinition(definition) as unknown as { tensorflow: { serving: ServingPackage } };
  services = loaded.tensorflow.serving;
  return services;
}
