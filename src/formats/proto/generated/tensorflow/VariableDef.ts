// Original file: tensorflow/core/framework/variable.proto


export interface VariableDef {
  'variable_name'?: (string);
  'initializer_name'?: (string);
  'snapshot_name'?: (string);
  'is_resource'?: (boolean);
  'initial_value_name'?: (string);
  'trainable'?: (boolean);
}

export interface VariableDef__Output {
  'variable_name'?: (string);
  'initializer_name'?: (string);
  'snapshot_name'?: (string);
  'is_resource'?: (boolean);
  'initial_value_name'?: (string);
  'trainable'?: (boolean);
}
