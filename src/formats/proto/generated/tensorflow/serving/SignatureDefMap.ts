// Original file: tensorflow_serving/apis/get_model_metadata.proto

import type { SignatureDef as _tensorflow_SignatureDef, SignatureDef__Output as _tensorflow_SignatureDef__Output } from '../../tensorflow/SignatureDef.ts';

export interface SignatureDefMap {
  'signature_def'?: ({[key: string]: _tensorflow_SignatureDef});
}

export interface SignatureDefMap__Output {
  'signature_def': ({[key: string]: _tensorflow_SignatureDef__Output});
}
