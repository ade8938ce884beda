// Original file: tensorflow_serving/apis/prediction_log.proto

import type { PredictRequest as _tensorflow_serving_PredictRequest, PredictRequest__Output as _tensorflow_serving_PredictRequest__Output } from '../../tensorflow/serving/PredictRequest.ts';
import type { PredictResponse as _tensorflow_serving_PredictResponse, PredictResponse__Output as _tensorflow_serving_PredictResponse__Output } from '../../tensorflow/serving/PredictResponse.ts';

export interface PredictLog {
  'request'?: (_tensorflow_serving_PredictRequest | null);
  'response'?: (_tensorflow_serving_PredictResponse | null);
}

export interface PredictLog__Output {
  'request'?: (_tensorflow_serving_PredictRequest__Output);
  'response'?: (_tensorflow_serving_PredictResponse__Output);
}
