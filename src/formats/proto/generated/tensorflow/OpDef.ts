// Original file: tensorflow/core/framework/op_def.proto

import type { DataType as _tensorflow_DataType, DataType__Output as _tensorflow_DataType__Output } from '../tensorflow/DataType.ts';

export interface _tensorflow_OpDef_ArgDef {
  'name'?: (string);
  'description'?: (string);
  'type'?: (_tensorflow_DataType);
  'type_attr'?: (string);
  'number_attr'?: (string);
  'type_list_attr'?: (string);
  'is_ref'?: (boolean);
}

export interface _tensorflow_OpDef_ArgDef__Output {
  'name'?: (string);
  'description'?: (string);
  'type'?: (_tensorflow_DataType__Output);
  'type_attr'?: (string);
  'number_attr'?: (string);
  'type_list_attr'?: (string);
  'is_ref'?: (boolean);
}

export interface _tensorflow_OpDef_AttrDef {
  'name'?: (string);
  'type'?: (string);
}

export interface _tensorflow_OpDef_AttrDef__Output {
  'name'?: (string);
  'type'?: (string);
}

export interface OpDef {
  'name'?: (string);
  'input_arg'?: (_tensorflow_OpDef_ArgDef)[];
  'output_arg'?: (_tensorflow_OpDef_ArgDef)[];
  'attr'?: (_tensorflow_OpDef_AttrDef)[];
  'summary'?: (string);
  'description'?: (string);
  'is_stateful'?: (boolean);
  'control_output'?: (string)[];
}

export interface OpDef__Output {
  'name'?: (string);
  'input_arg': (_tensorflow_OpDef_ArgDef__Output)[];
  'output_arg': (_tensorflow_OpDef_ArgDef__Output)[];
  'attr': (_tensorflow_OpDef_AttrDef__Output)[];
  'summary'?: (string);
  'description'?: (string);
  'is_stateful'?: (boolean);
  'control_output': (string)[];
}
