// Original file: tensorflow/core/framework/tensor_shape.proto

import type { Long } from '@grpc/proto-loader';

export interface _tensorflow_TensorShapeProto_Dim {
  'size'?: (number | string | Long);
  'name'?: (string);
}

export interface _tensorflow_TensorShapeProto_Dim__Output {
  'size'?: (number);
  'name'?: (string);
}

export interface TensorShapeProto {
  'dim'?: (_tensorflow_TensorShapeProto_Dim)[];
  'unknown_rank'?: (boolean);
}

export interface TensorShapeProto__Output {
  'dim': (_tensorflow_TensorShapeProto_Dim__Output)[];
  'unknown_rank'?: (boolean);
}
