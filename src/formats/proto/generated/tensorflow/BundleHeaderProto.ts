// Original file: tensorflow/core/protobuf/tensor_bundle.proto

import type { VersionDef as _tensorflow_VersionDef, VersionDef__Output as _tensorflow_VersionDef__Output } from '../tensorflow/VersionDef.ts';

// Original file: tensorflow/core/protobuf/tensor_bundle.proto

export const _tensorflow_BundleHeaderProto_Endianness = {
  LITTLE: 'LITTLE',
  BIG: 'BIG',
} as const;

export type _tensorflow_BundleHeaderProto_Endianness =
  | 'LITTLE'
  | 0
  | 'BIG'
  | 1

export type _tensorflow_BundleHeaderProto_Endianness__Output = typeof _tensorflow_BundleHeaderProto_Endianness[keyof typeof _tensorflow_BundleHeaderProto_Endianness]

export interface BundleHeaderProto {
  'num_shards'?: (number);
  'endianness'?: (_tensorflow_BundleHeaderProto_Endianness);
  'version'?: (_tensorflow_VersionDef | null);
}

export interface BundleHeaderProto__Output {
  'num_shards'?: (number);
  'endianness'?: (_tensorflow_BundleHeaderProto_Endianness__Output);
  'version'?: (_tensorflow_VersionDef__Output);
}
