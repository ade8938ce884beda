// Original file: tensorflow/core/framework/function.proto

import type { OpDef as _tensorflow_OpDef, OpDef__Output as _tensorflow_OpDef__Output } from '../tensorflow/OpDef.ts';
import type { NodeDef as _tensorflow_NodeDef, NodeDef__Output as _tensorflow_NodeDef__Output } from '../tensorflow/NodeDef.ts';
import type { AttrValue as _tensorflow_AttrValue, AttrValue__Output as _tensorflow_AttrValue__Output } from '../tensorflow/AttrValue.ts';

export interface FunctionDef {
  'signature'?: (_tensorflow_OpDef | null);
  'node_def'?: (_tensorflow_NodeDef)[];
  'ret'?: ({[key: string]: string});
  'attr'?: ({[key: string]: _tensorflow_AttrValue});
  'control_ret'?: ({[key: string]: string});
}

export interface FunctionDef__Output {
  'signature'?: (_tensorflow_OpDef__Output);
  'node_def': (_tensorflow_NodeDef__Output)[];
  'ret': ({[key: string]: string});
  'attr': ({[key: string]: _tensorflow_AttrValue__Output});
  'control_ret': ({[key: string]: string});
}
