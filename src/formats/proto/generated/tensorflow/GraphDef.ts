// Original file: tensorflow/core/framework/graph.proto

import type { NodeDef as _tensorflow_NodeDef, NodeDef__Output as _tensorflow_NodeDef__Output } from '../tensorflow/NodeDef.ts';
import type { FunctionDefLibrary as _tensorflow_FunctionDefLibrary, FunctionDefLibrary__Output as _tensorflow_FunctionDefLibrary__Output } from '../tensorflow/FunctionDefLibrary.ts';
import type { VersionDef as _tensorflow_VersionDef, VersionDef__Output as _tensorflow_VersionDef__Output } from '../tensorflow/VersionDef.ts';

export interface GraphDef {
  'node'?: (_tensorflow_NodeDef)[];
  'library'?: (_tensorflow_FunctionDefLibrary | null);
  'version'?: (number);
  'versions'?: (_tensorflow_VersionDef | null);
}

export interface GraphDef__Output {
  'node': (_tensorflow_NodeDef__Output)[];
  'library'?: (_tensorflow_FunctionDefLibrary__Output);
  'version'?: (number);
  'versions'?: (_tensorflow_VersionDef__Output);
}
