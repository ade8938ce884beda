// Original file: tensorflow/core/framework/function.proto


export interface GradientDef {
  'function_name'?: (string);
  'gradient_func'?: (string);
}

export interface GradientDef__Output {
  'function_name'?: (string);
  'gradient_func'?: (string);
}
