/**
 * The JSON bodies of TF Serving's status and metadata APIs: protobuf's JSON mapping of
 * GetModelStatusResponse and GetModelMetadataResponse with every primitive field printed and
 * int64 fields (versions, dimension sizes) as strings, exactly as tensorflow_model_server prints them.
 */
import type { SignatureDef__Output, TensorInfo__Output } from '../../../formats/proto/types.ts';
import type { ModelMetadata } from '../../predict/prediction-service.ts';
import type { VersionStatus } from '../../lifecycle/version-manager.ts';

export function modelStatusJson(statuses: VersionStatus[]): object {
  return {
    model_version_status: statuses.map((status) => ({
      version: String(status.version),
      state: status.state,
      status: { error_code: status.errorCode, error_message: status.errorMessage },
    })),
  };
}

export function modelMetadataJson(metadata: ModelMetadata): object {
  const signatureDefs = Object.fromEntries(
    Object.entries(metadata.signatureDefs).map(([name, def]) => [name, signatureDefJson(def)]),
  );
  return {
    model_spec: {
      name: metadata.modelSpec.name,
      signature_name: metadata.modelSpec.signatureName,
      version: String(metadata.modelSpec.version),
    },
    metadata: { signature_def: { signature_def: signatureDefs } },
  };
}

function signatureDefJson(def: SignatureDef__Output): object {
  const infos = (map: Record<string, TensorInfo__Output> | undefined) =>
    Object.fromEntries(Object.entries(map ?? {}).map(([alias, info]) => [alias, tensorInfoJson(info)]));
  return { inputs: infos(def.inputs), outputs: infos(def.outputs), method_name: def.method_name ?? '', defaults: {} };
}

function tensorInfoJson(info: TensorInfo__Output): object {
  const shape = info.tensor_shape;
  return {
    dtype: info.dtype ?? 'DT_INVALID',
    tensor_shape: {
      dim: (shape?.dim ?? []).map((dim) => ({ size: String(dim.size ?? 0), name: dim.name ?? '' })),
      unknown_rank: shape?.unknown_rank ?? false,
    },
    name: info.name ?? '',
  };
}
