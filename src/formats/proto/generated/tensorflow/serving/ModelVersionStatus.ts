// Original file: tensorflow_serving/apis/get_model_status.proto

import type { StatusProto as _tensorflow_serving_StatusProto, StatusProto__Output as _tensorflow_serving_StatusProto__Output } from '../../tensorflow/serving/StatusProto.ts';
import type { Long } from '@grpc/proto-loader';

// Original file: tensorflow_serving/apis/get_model_status.proto

export const _tensorflow_serving_ModelVersionStatus_State = {
  UNKNOWN: 'UNKNOWN',
  START: 'START',
  LOADING: 'LOADING',
  AVAILABLE: 'AVAILABLE',
  UNLOADING: 'UNLOADING',
  END: 'END',
} as const;

export type _tensorflow_serving_ModelVersionStatus_State =
  | 'UNKNOWN'
  | 0
  | 'START'
  | 10
  | 'LOADING'
  | 20
  | 'AVAILABLE'
  | 30
  | 'UNLOADING'
  | 40
  | 'END'
  | 50

export type _tensorflow_serving_ModelVersionStatus_State__Output = typeof _tensorflow_serving_ModelVersionStatus_State[keyof typeof _tensorflow_serving_ModelVersionStatus_State]

export interface ModelVersionStatus {
  'version'?: (number | string | Long);
  'state'?: (_tensorflow_serving_ModelVersionStatus_State);
  'status'?: (_tensorflow_serving_StatusProto | null);
}

export interface ModelVersionStatus__Output {
  'version'?: (number);
  'state'?: (_tensorflow_serving_ModelVersionStatus_State__Output);
  'status'?: (_tensorflow_serving_StatusProto__Output);
}
