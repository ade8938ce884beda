// Original file: tensorflow_serving/apis/get_model_status.proto

import type { ModelSpec as _tensorflow_serving_ModelSpec, ModelSpec__Output as _tensorflow_serving_ModelSpec__Output } from '../../tensorflow/serving/ModelSpec.ts';

export interface GetModelStatusRequest {
  'model_spec'?: (_tensorflow_serving_ModelSpec | null);
}

export interface GetModelStatusRequest__Output {
  'model_spec'?: (_tensorflow_serving_ModelSpec__Output);
}
