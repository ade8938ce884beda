// Original file: tensorflow/core/framework/function.proto

import type { FunctionDef as _tensorflow_FunctionDef, FunctionDef__Output as _tensorflow_FunctionDef__Output } from '../tensorflow/FunctionDef.ts';
import type { GradientDef as _tensorflow_GradientDef, GradientDef__Output as _tensorflow_GradientDef__Output } from '../tensorflow/GradientDef.ts';

export interface FunctionDefLibrary {
  'function'?: (_tensorflow_FunctionDef)[];
  'gradient'?: (_tensorflow_GradientDef)[];
}

export interface FunctionDefLibrary__Output {
  'function': (_tensorflow_FunctionDef__Output)[];
  'gradient': (_tensorflow_GradientDef__Output)[];
}
