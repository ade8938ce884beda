// Original file: tensorflow/core/protobuf/meta_graph.proto

import type { GraphDef as _tensorflow_GraphDef, GraphDef__Output as _tensorflow_GraphDef__Output } from '../tensorflow/GraphDef.ts';
import type { SaverDef as _tensorflow_SaverDef, SaverDef__Output as _tensorflow_SaverDef__Output } from '../tensorflow/SaverDef.ts';
import type { CollectionDef as _tensorflow_CollectionDef, CollectionDef__Output as _tensorflow_CollectionDef__Output } from '../tensorflow/CollectionDef.ts';
import type { SignatureDef as _tensorflow_SignatureDef, SignatureDef__Output as _tensorflow_SignatureDef__Output } from '../tensorflow/SignatureDef.ts';
import type { AssetFileDef as _tensorflow_AssetFileDef, AssetFileDef__Output as _tensorflow_AssetFileDef__Output } from '../tensorflow/AssetFileDef.ts';
import type { OpList as _tensorflow_OpList, OpList__Output as _tensorflow_OpList__Output } from '../tensorflow/OpList.ts';
import type { Any as _google_protobuf_Any, Any__Output as _google_protobuf_Any__Output } from '../google/protobuf/Any.ts';

export interface _tensorflow_MetaGraphDef_MetaInfoDef {
  'meta_graph_version'?: (string);
  'stripped_op_list'?: (_tensorflow_OpList | null);
  'any_info'?: (_google_protobuf_Any | null);
  'tags'?: (string)[];
  'tensorflow_version'?: (string);
  'tensorflow_git_version'?: (string);
  'stripped_default_attrs'?: (boolean);
  'function_aliases'?: ({[key: string]: string});
}

export interface _tensorflow_MetaGraphDef_MetaInfoDef__Output {
  'meta_graph_version'?: (string);
  'stripped_op_list'?: (_tensorflow_OpList__Output);
  'any_info'?: (_google_protobuf_Any__Output);
  'tags': (string)[];
  'tensorflow_version'?: (string);
  'tensorflow_git_version'?: (string);
  'stripped_default_attrs'?: (boolean);
  'function_aliases': ({[key: string]: string});
}

export interface MetaGraphDef {
  'meta_info_def'?: (_tensorflow_MetaGraphDef_MetaInfoDef | null);
  'graph_def'?: (_tensorflow_GraphDef | null);
  'saver_def'?: (_tensorflow_SaverDef | null);
  'collection_def'?: ({[key: string]: _tensorflow_CollectionDef});
  'signature_def'?: ({[key: string]: _tensorflow_SignatureDef});
  'asset_file_def'?: (_tensorflow_AssetFileDef)[];
}

export interface MetaGraphDef__Output {
  'meta_info_def'?: (_tensorflow_MetaGraphDef_MetaInfoDef__Output);
  'graph_def'?: (_tensorflow_GraphDef__Output);
  'saver_def'?: (_tensorflow_SaverDef__Output);
  'collection_def': ({[key: string]: _tensorflow_CollectionDef__Output});
  'signature_def': ({[key: string]: _tensorflow_SignatureDef__Output});
  'asset_file_def': (_tensorflow_AssetFileDef__Output)[];
}
