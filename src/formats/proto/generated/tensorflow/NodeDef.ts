// Original file: tensorflow/core/framework/node_def.proto

import type { AttrValue as _tensorflow_AttrValue, AttrValue__Output as _tensorflow_AttrValue__Output } from '../tensorflow/AttrValue.ts';

export interface NodeDef {
  'name'?: (string);
  'op'?: (string);
  'input'?: (string)[];
  'device'?: (string);
  'attr'?: ({[key: string]: _tensorflow_AttrValue});
}

export interface NodeDef__Output {
  'name'?: (string);
  'op'?: (string);
  'input': (string)[];
  'device'?: (string);
  'attr': ({[key: string]: _tensorflow_AttrValue__Output});
}
