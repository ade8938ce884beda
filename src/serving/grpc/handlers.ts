/**
 * TF Serving's gRPC methods over the transport-independent core (../predict-core.ts): each takes
 * the request message as proto-loader decoded it and returns the response message, or throws a
 * ServingError with TF Serving's code and wording (prediction_service_impl.cc,
 * get_model_metadata_impl.cc, get_model_status_impl.cc).
 */
import { encodeMessage } from '../../formats/proto/index.ts';
import { invalidArgument } from '../errors.ts';
import type { TensorInfo } from '../../formats/proto/types.ts';
import { validateInputDtype, validateInputNames, type ModelSpecRequest, type PredictionService, type ResolvedModelSpec } from '../predict-core.ts';
import { tensorFromProto, tensorToProto, type TensorMap } from '../tensor.ts';
import {
  SIGNATURE_DEF_MAP_TYPE,
  SIGNATURE_DEF_MAP_TYPE_URL,
  type GetModelMetadataRequestMessage,
  type GetModelMetadataResponseMessage,
  type GetModelStatusRequestMessage,
  type GetModelStatusResponseMessage,
  type ModelSpecMessage,
  type PredictRequestMessage,
  type PredictResponseMessage,
} from './protos.ts';

/** The only metadata field TF Serving (and this server) knows. */
export const SIGNATURE_DEF_FIELD = 'signature_def';

/** A request's ModelSpec as the core takes it: the version oneof becomes a number or a label. */
export function modelSpecRequest(spec: ModelSpecMessage | null | undefined): ModelSpecRequest {
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

function modelSpecMessage(spec: ResolvedModelSpec, withSignature: boolean): ModelSpecMessage {
  return { name: spec.name, version: { value: spec.version }, ...(withSignature && { signature_name: spec.signatureName }) };
}

/**
 * Predict. The inputs are decoded only once the servable and signature are resolved, and each
 * only after its dtype matched the signature's: an unknown model answers NOT_FOUND and a wrong
 * dtype INVALID_ARGUMENT whatever the bytes hold, as they do in TF Serving.
 */
export async function predict(service: PredictionService, request: PredictRequestMessage): Promise<PredictResponseMessage> {
  const spec = modelSpecRequest(request.model_spec);
  const protos = request.inputs ?? {};
  const decode = (signatureInputs: Record<string, TensorInfo>): TensorMap => {
    validateInputNames({ inputs: signatureInputs }, Object.keys(protos));
    const inputs: TensorMap = {};
    for (const [name, proto] of Object.entries(protos)) {
      validateInputDtype(name, signatureInputs[name]!, proto.dtype ?? 'DT_INVALID');
      inputs[name] = tensorFromProto(proto, name);
    }
    return inputs;
  };
  const result = await service.predict(spec, decode, request.output_filter ?? []);
  const outputs = Object.fromEntries(Object.entries(result.outputs).map(([name, tensor]) => [name, tensorToProto(tensor)]));
  return { model_spec: modelSpecMessage(result.modelSpec, true), outputs };
}

export function getModelMetadata(service: PredictionService, request: GetModelMetadataRequestMessage): GetModelMetadataResponseMessage {
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

export function getModelStatus(service: PredictionService, request: GetModelStatusRequestMessage): GetModelStatusResponseMessage {
  const statuses = service.status(modelSpecRequest(request.model_spec));
  return {
    model_version_status: statuses.map((status) => ({
      version: status.version,
      state: status.state,
      status: { error_code: status.errorCode, error_message: status.errorMessage },
    })),
  };
}
