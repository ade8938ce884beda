// Original file: tensorflow/core/protobuf/meta_graph.proto

import type { TensorInfo as _tensorflow_TensorInfo, TensorInfo__Output as _tensorflow_TensorInfo__Output } from '../tensorflow/TensorInfo.ts';

export interface AssetFileDef {
  'tensor_info'?: (_tensorflow_TensorInfo | null);
  'filename'?: (string);
}

export interface AssetFileDef__Output {
  'tensor_info'?: (_tensorflow_TensorInfo__Output);
  'filename'?: (string);
}
