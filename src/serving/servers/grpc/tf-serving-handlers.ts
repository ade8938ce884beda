/**
 * TF Serving's gRPC methods over the transport-independent core (../../predict/prediction-service.ts): each takes
 * the request message as decoded (../../apis/protos.ts) and returns the response message, or throws a
 * ServingError with TF Serving's code and wording (prediction_service_impl.cc,
 * get_model_metadata_impl.cc, get_model_status_impl.cc).
 */
import { encodeMessage } from '../../../formats/proto/index.ts';
import { encodeTensorValues, tensorProtoShape } from '../../../formats/tensorflow/tensor-proto.ts';
import { invalidArgument } from '../../serving-errors.ts';
import type {
  CancelledCheck,
  DecodeContext,
  DeclaredInputs,
  ModelSpecRequest,
  PredictionService,
  ResolvedModelSpec,
} from '../../predict/prediction-service.ts';
import { tensorFromProto, type TensorMap } from '../../servable/host-tensor.ts';
import {
  SIGNATURE_DEF_FIELD,
  SIGNATURE_DEF_MAP_TYPE,
  SIGNATURE_DEF_MAP_TYPE_URL,
  type GetModelMetadataRequest__Output,
  type GetModelMetadataResponse,
  type GetModelStatusRequest__Output,
  type GetModelStatusResponse,
  type ModelSpec,
  type ModelSpec__Output,
  type PredictRequest__Output,
  type PredictResponse,
} from '../../apis/protos.ts';

/** A request's ModelSpec as the core takes it: the version oneof becomes a number or a label. */
export function modelSpecRequest(spec: ModelSpec__Output | null | undefined): ModelSpecRequest {
  if (!spec) throw invalidArgument('Missing ModelSpec');
  const request: ModelSpecRequest = { name: spec.name ?? '' };
  if (spec.version_choice === 'version' || (spec.version_choice === undefined && spec.version)) {
    request.version = Number(spec.version?.value ?? 0);
  } else if (spec.version_choice === 'version_label') {
    request.versionLabel = spec.version_label ?? '';
  }
  if (spec.signature_name) request.signatureName = spec.signature_name;
  return request;
}

function modelSpecMessage(spec: ResolvedModelSpec, withSignature: boolean): ModelSpec {
  return {
    name: spec.name,
    version: { value: spec.version },
    ...(withSignature && { signature_name: spec.signatureName }),
  };
}

/**
 * Predict. The inputs are decoded only once the servable and signature are resolved, and only
 * after every declared dtype and shape passed the signature and the request limits and the rows
 * were admitted: an unknown model answers NOT_FOUND and a wrong dtype or an oversized shape
 * INVALID_ARGUMENT whatever the bytes hold, and a broadcast value is never expanded past the limits.
 */
export async function predict(
  service: PredictionService,
  request: PredictRequest__Output,
  isCancelled?: CancelledCheck,
): Promise<PredictResponse> {
  const spec = modelSpecRequest(request.model_spec);
  const protos = request.inputs ?? {};
  const decode = (_signatureInputs: unknown, context: DecodeContext): TensorMap => {
    const declared: DeclaredInputs = {};
    for (const [name, proto] of Object.entries(protos))
      declared[name] = { dtype: proto.dtype ?? 'DT_INVALID', shape: tensorProtoShape(proto) };
    context.admit(declared);
    return Object.fromEntries(Object.entries(protos).map(([name, proto]) => [name, tensorFromProto(proto, name)]));
  };
  const result = await service.predict(spec, decode, request.output_filter ?? [], isCancelled);
  const outputs = Object.fromEntries(
    Object.entries(result.outputs).map(([name, tensor]) => [name, encodeTensorValues(tensor)]),
  );
  return { model_spec: modelSpecMessage(result.modelSpec, true), outputs };
}

export function getModelMetadata(
  service: PredictionService,
  request: GetModelMetadataRequest__Output,
): GetModelMetadataResponse {
  const spec = modelSpecRequest(request.model_spec);
  const fields = request.metadata_field ?? [];
  if (fields.length === 0) throw invalidArgument('GetModelMetadataRequest must specify at least one metadata_field');
  const unsupported = fields.find((field) => field !== SIGNATURE_DEF_FIELD);
  if (unsupported !== undefined) throw invalidArgument(`Metadata field ${unsupported} is not supported`);
  const metadata = service.metadata(spec);
  const packed = encodeMessage(SIGNATURE_DEF_MAP_TYPE, { signature_def: metadata.signatureDefs });
  return {
    model_spec: modelSpecMessage(metadata.modelSpec, false),
    metadata: { [SIGNATURE_DEF_FIELD]: { type_url: SIGNATURE_DEF_MAP_TYPE_URL, value: Buffer.from(packed) } },
  };
}

export function getModelStatus(
  service: PredictionService,
  request: GetModelStatusRequest__Output,
): GetModelStatusResponse {
  const statuses = service.status(modelSpecRequest(request.model_spec));
  return {
    model_version_status: statuses.map((status) => ({
      version: status.version,
      state: status.state,
      status: { error_code: status.errorCode, error_message: status.errorMessage },
    })),
  };
}
