// Original file: tensorflow/core/protobuf/tensor_bundle.proto

import type { DataType as _tensorflow_DataType, DataType__Output as _tensorflow_DataType__Output } from '../tensorflow/DataType.ts';
import type { TensorShapeProto as _tensorflow_TensorShapeProto, TensorShapeProto__Output as _tensorflow_TensorShapeProto__Output } from '../tensorflow/TensorShapeProto.ts';
import type { TensorSliceProto as _tensorflow_TensorSliceProto, TensorSliceProto__Output as _tensorflow_TensorSliceProto__Output } from '../tensorflow/TensorSliceProto.ts';
import type { Long } from '@grpc/proto-loader';

export interface BundleEntryProto {
  'dtype'?: (_tensorflow_DataType);
  'shape'?: (_tensorflow_TensorShapeProto | null);
  'shard_id'?: (number);
  'offset'?: (number | string | Long);
  'size'?: (number | string | Long);
  'crc32c'?: (number);
  'slices'?: (_tensorflow_TensorSliceProto)[];
}

export interface BundleEntryProto__Output {
  'dtype'?: (_tensorflow_DataType__Output);
  'shape'?: (_tensorflow_TensorShapeProto__Output);
  'shard_id'?: (number);
  'offset'?: (number);
  'size'?: (number);
  'crc32c'?: (number);
  'slices': (_tensorflow_TensorSliceProto__Output)[];
}
