// Original file: tensorflow/core/framework/op_def.proto

import type { OpDef as _tensorflow_OpDef, OpDef__Output as _tensorflow_OpDef__Output } from '../tensorflow/OpDef.ts';

export interface OpList {
  'op'?: (_tensorflow_OpDef)[];
}

export interface OpList__Output {
  'op': (_tensorflow_OpDef__Output)[];
}
