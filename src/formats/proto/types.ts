/**
 * Plain-object views of the TensorFlow messages we build and read, in the shape
 * `encodeMessage`/`decodeMessage` take and return (field names as in the .proto files).
 */

export type DataTypeName =
  | 'DT_INVALID' | 'DT_FLOAT' | 'DT_DOUBLE' | 'DT_INT32' | 'DT_UINT8' | 'DT_INT16' | 'DT_INT8'
  | 'DT_STRING' | 'DT_INT64' | 'DT_BOOL' | 'DT_HALF' | 'DT_RESOURCE' | 'DT_VARIANT' | (string & {});

export interface TensorShapeProto {
  dim?: { size?: number; name?: string }[];
  unknown_rank?: boolean;
}

export interface TensorProto {
  dtype?: DataTypeName;
  tensor_shape?: TensorShapeProto;
  version_number?: number;
  tensor_content?: Uint8Array;
  half_val?: number[];
  float_val?: number[];
  double_val?: number[];
  int_val?: number[];
  string_val?: Uint8Array[];
  int64_val?: (number | string)[];
  bool_val?: boolean[];
}

export interface NameAttrList {
  name?: string;
  attr?: Record<string, AttrValue>;
}

export interface AttrValue {
  s?: Uint8Array;
  i?: number | string;
  f?: number;
  b?: boolean;
  type?: DataTypeName;
  shape?: TensorShapeProto;
  tensor?: TensorProto;
  placeholder?: string;
  func?: NameAttrList;
  list?: {
    s?: Uint8Array[];
    i?: (number | string)[];
    f?: number[];
    b?: boolean[];
    type?: DataTypeName[];
    shape?: TensorShapeProto[];
    tensor?: TensorProto[];
    func?: NameAttrList[];
  };
}

export interface NodeDef {
  name: string;
  op: string;
  input?: string[];
  device?: string;
  attr?: Record<string, AttrValue>;
}

export interface VersionDef {
  producer?: number;
  min_consumer?: number;
  bad_consumers?: number[];
}

export interface OpDef {
  name?: string;
  input_arg?: { name?: string; type?: DataTypeName; type_attr?: string }[];
  output_arg?: { name?: string; type?: DataTypeName; type_attr?: string }[];
  attr?: { name?: string; type?: string }[];
}

export interface FunctionDef {
  signature?: OpDef;
  node_def?: NodeDef[];
  ret?: Record<string, string>;
  attr?: Record<string, AttrValue>;
}

export interface GraphDef {
  node?: NodeDef[];
  versions?: VersionDef;
  library?: { function?: FunctionDef[] };
}

export interface TensorInfo {
  name?: string;
  dtype?: DataTypeName;
  tensor_shape?: TensorShapeProto;
}

export interface SignatureDef {
  inputs?: Record<string, TensorInfo>;
  outputs?: Record<string, TensorInfo>;
  method_name?: string;
}

export interface SaverDef {
  filename_tensor_name?: string;
  save_tensor_name?: string;
  restore_op_name?: string;
  max_to_keep?: number;
  sharded?: boolean;
  keep_checkpoint_every_n_hours?: number;
  version?: 'LEGACY' | 'V1' | 'V2';
}

export interface CollectionDef {
  node_list?: { value?: string[] };
  bytes_list?: { value?: Uint8Array[] };
  int64_list?: { value?: (number | string)[] };
  float_list?: { value?: number[] };
}

export interface MetaGraphDef {
  meta_info_def?: {
    meta_graph_version?: string;
    stripped_op_list?: { op?: OpDef[] };
    tags?: string[];
    tensorflow_version?: string;
    tensorflow_git_version?: string;
    stripped_default_attrs?: boolean;
  };
  graph_def?: GraphDef;
  saver_def?: SaverDef;
  collection_def?: Record<string, CollectionDef>;
  signature_def?: Record<string, SignatureDef>;
  asset_file_def?: { tensor_info?: TensorInfo; filename?: string }[];
}

export interface SavedModel {
  saved_model_schema_version?: number;
  meta_graphs?: MetaGraphDef[];
}

export interface BundleHeaderProto {
  num_shards?: number;
  endianness?: 'LITTLE' | 'BIG';
  version?: VersionDef;
}

export interface BundleEntryProto {
  dtype?: DataTypeName;
  shape?: TensorShapeProto;
  shard_id?: number;
  offset?: number;
  size?: number;
  crc32c?: number;
  slices?: unknown[];
}
