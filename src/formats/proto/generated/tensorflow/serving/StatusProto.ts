// Original file: tensorflow_serving/apis/status.proto

import type { Code as _tensorflow_error_Code, Code__Output as _tensorflow_error_Code__Output } from '../../tensorflow/error/Code.ts';

export interface StatusProto {
  'error_code'?: (_tensorflow_error_Code);
  'error_message'?: (string);
}

export interface StatusProto__Output {
  'error_code'?: (_tensorflow_error_Code__Output);
  'error_message'?: (string);
}
