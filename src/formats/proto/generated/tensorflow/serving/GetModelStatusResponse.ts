// Original file: tensorflow_serving/apis/get_model_status.proto

import type { ModelVersionStatus as _tensorflow_serving_ModelVersionStatus, ModelVersionStatus__Output as _tensorflow_serving_ModelVersionStatus__Output } from '../../tensorflow/serving/ModelVersionStatus.ts';

export interface GetModelStatusResponse {
  'model_version_status'?: (_tensorflow_serving_ModelVersionStatus)[];
}

export interface GetModelStatusResponse__Output {
  'model_version_status': (_tensorflow_serving_ModelVersionStatus__Output)[];
}
