// Original file: tensorflow/core/protobuf/meta_graph.proto

import type { Any as _google_protobuf_Any, Any__Output as _google_protobuf_Any__Output } from '../google/protobuf/Any.ts';
import type { Long } from '@grpc/proto-loader';

export interface _tensorflow_CollectionDef_AnyList {
  'value'?: (_google_protobuf_Any)[];
}

export interface _tensorflow_CollectionDef_AnyList__Output {
  'value': (_google_protobuf_Any__Output)[];
}

export interface _tensorflow_CollectionDef_BytesList {
  'value'?: (Buffer | Uint8Array | string)[];
}

export interface _tensorflow_CollectionDef_BytesList__Output {
  'value': (Buffer)[];
}

export interface _tensorflow_CollectionDef_FloatList {
  'value'?: (number | string)[];
}

export interface _tensorflow_CollectionDef_FloatList__Output {
  'value': (number)[];
}

export interface _tensorflow_CollectionDef_Int64List {
  'value'?: (number | string | Long)[];
}

export interface _tensorflow_CollectionDef_Int64List__Output {
  'value': (number)[];
}

export interface _tensorflow_CollectionDef_NodeList {
  'value'?: (string)[];
}

export interface _tensorflow_CollectionDef_NodeList__Output {
  'value': (string)[];
}

export interface CollectionDef {
  'node_list'?: (_tensorflow_CollectionDef_NodeList | null);
  'bytes_list'?: (_tensorflow_CollectionDef_BytesList | null);
  'int64_list'?: (_tensorflow_CollectionDef_Int64List | null);
  'float_list'?: (_tensorflow_CollectionDef_FloatList | null);
  'any_list'?: (_tensorflow_CollectionDef_AnyList | null);
  'kind'?: "node_list"|"bytes_list"|"int64_list"|"float_list"|"any_list";
}

export interface CollectionDef__Output {
  'node_list'?: (_tensorflow_CollectionDef_NodeList__Output);
  'bytes_list'?: (_tensorflow_CollectionDef_BytesList__Output);
  'int64_list'?: (_tensorflow_CollectionDef_Int64List__Output);
  'float_list'?: (_tensorflow_CollectionDef_FloatList__Output);
  'any_list'?: (_tensorflow_CollectionDef_AnyList__Output);
  'kind'?: "node_list"|"bytes_list"|"int64_list"|"float_list"|"any_list";
}
