// Original file: tensorflow/core/framework/attr_value.proto

import type { DataType as _tensorflow_DataType, DataType__Output as _tensorflow_DataType__Output } from '../tensorflow/DataType.ts';
import type { TensorShapeProto as _tensorflow_TensorShapeProto, TensorShapeProto__Output as _tensorflow_TensorShapeProto__Output } from '../tensorflow/TensorShapeProto.ts';
import type { TensorProto as _tensorflow_TensorProto, TensorProto__Output as _tensorflow_TensorProto__Output } from '../tensorflow/TensorProto.ts';
import type { NameAttrList as _tensorflow_NameAttrList, NameAttrList__Output as _tensorflow_NameAttrList__Output } from '../tensorflow/NameAttrList.ts';
import type { Long } from '@grpc/proto-loader';

export interface _tensorflow_AttrValue_ListValue {
  's'?: (Buffer | Uint8Array | string)[];
  'i'?: (number | string | Long)[];
  'f'?: (number | string)[];
  'b'?: (boolean)[];
  'type'?: (_tensorflow_DataType)[];
  'shape'?: (_tensorflow_TensorShapeProto)[];
  'tensor'?: (_tensorflow_TensorProto)[];
  'func'?: (_tensorflow_NameAttrList)[];
}

export interface _tensorflow_AttrValue_ListValue__Output {
  's': (Buffer)[];
  'i': (number)[];
  'f': (number)[];
  'b': (boolean)[];
  'type': (_tensorflow_DataType__Output)[];
  'shape': (_tensorflow_TensorShapeProto__Output)[];
  'tensor': (_tensorflow_TensorProto__Output)[];
  'func': (_tensorflow_NameAttrList__Output)[];
}

export interface AttrValue {
  'list'?: (_tensorflow_AttrValue_ListValue | null);
  's'?: (Buffer | Uint8Array | string);
  'i'?: (number | string | Long);
  'f'?: (number | string);
  'b'?: (boolean);
  'type'?: (_tensorflow_DataType);
  'shape'?: (_tensorflow_TensorShapeProto | null);
  'tensor'?: (_tensorflow_TensorProto | null);
  'placeholder'?: (string);
  'func'?: (_tensorflow_NameAttrList | null);
  'value'?: "s"|"i"|"f"|"b"|"type"|"shape"|"tensor"|"list"|"func"|"placeholder";
}

export interface AttrValue__Output {
  'list'?: (_tensorflow_AttrValue_ListValue__Output);
  's'?: (Buffer);
  'i'?: (number);
  'f'?: (number);
  'b'?: (boolean);
  'type'?: (_tensorflow_DataType__Output);
  'shape'?: (_tensorflow_TensorShapeProto__Output);
  'tensor'?: (_tensorflow_TensorProto__Output);
  'placeholder'?: (string);
  'func'?: (_tensorflow_NameAttrList__Output);
  'value'?: "s"|"i"|"f"|"b"|"type"|"shape"|"tensor"|"list"|"func"|"placeholder";
}
