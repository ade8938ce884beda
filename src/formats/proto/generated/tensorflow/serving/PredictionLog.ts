// Original file: tensorflow_serving/apis/prediction_log.proto

import type { PredictLog as _tensorflow_serving_PredictLog, PredictLog__Output as _tensorflow_serving_PredictLog__Output } from '../../tensorflow/serving/PredictLog.ts';

export interface PredictionLog {
  'predict_log'?: (_tensorflow_serving_PredictLog | null);
  'log_type'?: "predict_log";
}

export interface PredictionLog__Output {
  'predict_log'?: (_tensorflow_serving_PredictLog__Output);
  'log_type'?: "predict_log";
}
