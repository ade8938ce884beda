// Original file: tensorflow_serving/apis/get_model_metadata.proto

import type { ModelSpec as _tensorflow_serving_ModelSpec, ModelSpec__Output as _tensorflow_serving_ModelSpec__Output } from '../../tensorflow/serving/ModelSpec.ts';

export interface GetModelMetadataRequest {
  'model_spec'?: (_tensorflow_serving_ModelSpec | null);
  'metadata_field'?: (string)[];
}

export interface GetModelMetadataRequest__Output {
  'model_spec'?: (_tensorflow_serving_ModelSpec__Output);
  'metadata_field': (string)[];
}
