// Original file: tensorflow/core/protobuf/meta_graph.proto

import type { DataType as _tensorflow_DataType, DataType__Output as _tensorflow_DataType__Output } from '../tensorflow/DataType.ts';
import type { TensorShapeProto as _tensorflow_TensorShapeProto, TensorShapeProto__Output as _tensorflow_TensorShapeProto__Output } from '../tensorflow/TensorShapeProto.ts';

export interface TensorInfo {
  'name'?: (string);
  'dtype'?: (_tensorflow_DataType);
  'tensor_shape'?: (_tensorflow_TensorShapeProto | null);
}

export interface TensorInfo__Output {
  'name'?: (string);
  'dtype'?: (_tensorflow_DataType__Output);
  'tensor_shape'?: (_tensorflow_TensorShapeProto__Output);
}
