// Original file: tensorflow/core/protobuf/saved_model.proto

import type { MetaGraphDef as _tensorflow_MetaGraphDef, MetaGraphDef__Output as _tensorflow_MetaGraphDef__Output } from '../tensorflow/MetaGraphDef.ts';
import type { Long } from '@grpc/proto-loader';

export interface SavedModel {
  'saved_model_schema_version'?: (number | string | Long);
  'meta_graphs'?: (_tensorflow_MetaGraphDef)[];
}

export interface SavedModel__Output {
  'saved_model_schema_version'?: (number);
  'meta_graphs': (_tensorflow_MetaGraphDef__Output)[];
}
