// Original file: tensorflow/core/framework/tensor.proto

import type { DataType as _tensorflow_DataType, DataType__Output as _tensorflow_DataType__Output } from '../tensorflow/DataType.ts';
import type { TensorShapeProto as _tensorflow_TensorShapeProto, TensorShapeProto__Output as _tensorflow_TensorShapeProto__Output } from '../tensorflow/TensorShapeProto.ts';
import type { Long } from '@grpc/proto-loader';

export interface TensorProto {
  'dtype'?: (_tensorflow_DataType);
  'tensor_shape'?: (_tensorflow_TensorShapeProto | null);
  'version_number'?: (number);
  'tensor_content'?: (Buffer | Uint8Array | string);
  'float_val'?: (number | string)[];
  'double_val'?: (number | string)[];
  'int_val'?: (number)[];
  'string_val'?: (Buffer | Uint8Array | string)[];
  'int64_val'?: (number | string | Long)[];
  'bool_val'?: (boolean)[];
  'half_val'?: (number)[];
}

export interface TensorProto__Output {
  'dtype'?: (_tensorflow_DataType__Output);
  'tensor_shape'?: (_tensorflow_TensorShapeProto__Output);
  'version_number'?: (number);
  'tensor_content'?: (Buffer);
  'float_val': (number)[];
  'double_val': (number)[];
  'int_val': (number)[];
  'string_val': (Buffer)[];
  'int64_val': (number)[];
  'bool_val': (boolean)[];
  'half_val': (number)[];
}
