// Original file: tensorflow/core/protobuf/tensor_bundle.proto

import type { Long } from '@grpc/proto-loader';

export interface _tensorflow_TensorSliceProto_Extent {
  'start'?: (number | string | Long);
  'length'?: (number | string | Long);
  'has_length'?: "length";
}

export interface _tensorflow_TensorSliceProto_Extent__Output {
  'start'?: (number);
  'length'?: (number);
  'has_length'?: "length";
}

export interface TensorSliceProto {
  'extent'?: (_tensorflow_TensorSliceProto_Extent)[];
}

export interface TensorSliceProto__Output {
  'extent': (_tensorflow_TensorSliceProto_Extent__Output)[];
}
