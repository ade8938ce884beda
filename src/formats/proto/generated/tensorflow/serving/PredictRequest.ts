// Original file: tensorflow_serving/apis/predict.proto

import type { ModelSpec as _tensorflow_serving_ModelSpec, ModelSpec__Output as _tensorflow_serving_ModelSpec__Output } from '../../tensorflow/serving/ModelSpec.ts';
import type { TensorProto as _tensorflow_TensorProto, TensorProto__Output as _tensorflow_TensorProto__Output } from '../../tensorflow/TensorProto.ts';

export interface PredictRequest {
  'model_spec'?: (_tensorflow_serving_ModelSpec | null);
  'inputs'?: ({[key: string]: _tensorflow_TensorProto});
  'output_filter'?: (string)[];
}

export interface PredictRequest__Output {
  'model_spec'?: (_tensorflow_serving_ModelSpec__Output);
  'inputs': ({[key: string]: _tensorflow_TensorProto__Output});
  'output_filter': (string)[];
}
