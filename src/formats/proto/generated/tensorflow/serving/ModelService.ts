// Original file: tensorflow_serving/apis/model_service.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetModelStatusRequest as _tensorflow_serving_GetModelStatusRequest, GetModelStatusRequest__Output as _tensorflow_serving_GetModelStatusRequest__Output } from '../../tensorflow/serving/GetModelStatusRequest.ts';
import type { GetModelStatusResponse as _tensorflow_serving_GetModelStatusResponse, GetModelStatusResponse__Output as _tensorflow_serving_GetModelStatusResponse__Output } from '../../tensorflow/serving/GetModelStatusResponse.ts';

export interface ModelServiceClient extends grpc.Client {
  GetModelStatus(argument: _tensorflow_serving_GetModelStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tensorflow_serving_GetModelStatusResponse__Output>): grpc.ClientUnaryCall;
  GetModelStatus(argument: _tensorflow_serving_GetModelStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tensorflow_serving_GetModelStatusResponse__Output>): grpc.ClientUnaryCall;
  GetModelStatus(argument: _tensorflow_serving_GetModelStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tensorflow_serving_GetModelStatusResponse__Output>): grpc.ClientUnaryCall;
  GetModelStatus(argument: _tensorflow_serving_GetModelStatusRequest, callback: grpc.requestCallback<_tensorflow_serving_GetModelStatusResponse__Output>): grpc.ClientUnaryCall;
  getModelStatus(argument: _tensorflow_serving_GetModelStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tensorflow_serving_GetModelStatusResponse__Output>): grpc.ClientUnaryCall;
  getModelStatus(argument: _tensorflow_serving_GetModelStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tensorflow_serving_GetModelStatusResponse__Output>): grpc.ClientUnaryCall;
  getModelStatus(argument: _tensorflow_serving_GetModelStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tensorflow_serving_GetModelStatusResponse__Output>): grpc.ClientUnaryCall;
  getModelStatus(argument: _tensorflow_serving_GetModelStatusRequest, callback: grpc.requestCallback<_tensorflow_serving_GetModelStatusResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface ModelServiceHandlers extends grpc.UntypedServiceImplementation {
  GetModelStatus: grpc.handleUnaryCall<_tensorflow_serving_GetModelStatusRequest__Output, _tensorflow_serving_GetModelStatusResponse>;
  
}

export interface ModelServiceDefinition extends grpc.ServiceDefinition {
  GetModelStatus: MethodDefinition<_tensorflow_serving_GetModelStatusRequest, _tensorflow_serving_GetModelStatusResponse, _tensorflow_serving_GetModelStatusRequest__Output, _tensorflow_serving_GetModelStatusResponse__Output>
}
