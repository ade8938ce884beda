// Original file: tensorflow/core/framework/attr_value.proto

import type { AttrValue as _tensorflow_AttrValue, AttrValue__Output as _tensorflow_AttrValue__Output } from '../tensorflow/AttrValue.ts';

export interface NameAttrList {
  'name'?: (string);
  'attr'?: ({[key: string]: _tensorflow_AttrValue});
}

export interface NameAttrList__Output {
  'name'?: (string);
  'attr': ({[key: string]: _tensorflow_AttrValue__Output});
}
