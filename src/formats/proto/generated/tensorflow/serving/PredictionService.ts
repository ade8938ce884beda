// Original file: tensorflow_serving/apis/prediction_service.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetModelMetadataRequest as _tensorflow_serving_GetModelMetadataRequest, GetModelMetadataRequest__Output as _tensorflow_serving_GetModelMetadataRequest__Output } from '../../tensorflow/serving/GetModelMetadataRequest.ts';
import type { GetModelMetadataResponse as _tensorflow_serving_GetModelMetadataResponse, GetModelMetadataResponse__Output as _tensorflow_serving_GetModelMetadataResponse__Output } from '../../tensorflow/serving/GetModelMetadataResponse.ts';
import type { PredictRequest as _tensorflow_serving_PredictRequest, PredictRequest__Output as _tensorflow_serving_PredictRequest__Output } from '../../tensorflow/serving/PredictRequest.ts';
import type { PredictResponse as _tensorflow_serving_PredictResponse, PredictResponse__Output as _tensorflow_serving_PredictResponse__Output } from '../../tensorflow/serving/PredictResponse.ts';

export interface PredictionServiceClient extends grpc.Client {
  GetModelMetadata(argument: _tensorflow_serving_GetModelMetadataRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tensorflow_serving_GetModelMetadataResponse__Output>): grpc.ClientUnaryCall;
  GetModelMetadata(argument: _tensorflow_serving_GetModelMetadataRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tensorflow_serving_GetModelMetadataResponse__Output>): grpc.ClientUnaryCall;
  GetModelMetadata(argument: _tensorflow_serving_GetModelMetadataRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tensorflow_serving_GetModelMetadataResponse__Output>): grpc.ClientUnaryCall;
  GetModelMetadata(argument: _tensorflow_serving_GetModelMetadataRequest, callback: grpc.requestCallback<_tensorflow_serving_GetModelMetadataResponse__Output>): grpc.ClientUnaryCall;
  getModelMetadata(argument: _tensorflow_serving_GetModelMetadataRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tensorflow_serving_GetModelMetadataResponse__Output>): grpc.ClientUnaryCall;
  getModelMetadata(argument: _tensorflow_serving_GetModelMetadataRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tensorflow_serving_GetModelMetadataResponse__Output>): grpc.ClientUnaryCall;
  getModelMetadata(argument: _tensorflow_serving_GetModelMetadataRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tensorflow_serving_GetModelMetadataResponse__Output>): grpc.ClientUnaryCall;
  getModelMetadata(argument: _tensorflow_serving_GetModelMetadataRequest, callback: grpc.requestCallback<_tensorflow_serving_GetModelMetadataResponse__Output>): grpc.ClientUnaryCall;
  
  Predict(argument: _tensorflow_serving_PredictRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tensorflow_serving_PredictResponse__Output>): grpc.ClientUnaryCall;
  Predict(argument: _tensorflow_serving_PredictRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tensorflow_serving_PredictResponse__Output>): grpc.ClientUnaryCall;
  Predict(argument: _tensorflow_serving_PredictRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tensorflow_serving_PredictResponse__Output>): grpc.ClientUnaryCall;
  Predict(argument: _tensorflow_serving_PredictRequest, callback: grpc.requestCallback<_tensorflow_serving_PredictResponse__Output>): grpc.ClientUnaryCall;
  predict(argument: _tensorflow_serving_PredictRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tensorflow_serving_PredictResponse__Output>): grpc.ClientUnaryCall;
  predict(argument: _tensorflow_serving_PredictRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tensorflow_serving_PredictResponse__Output>): grpc.ClientUnaryCall;
  predict(argument: _tensorflow_serving_PredictRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tensorflow_serving_PredictResponse__Output>): grpc.ClientUnaryCall;
  predict(argument: _tensorflow_serving_PredictRequest, callback: grpc.requestCallback<_tensorflow_serving_PredictResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface PredictionServiceHandlers extends grpc.UntypedServiceImplementation {
  GetModelMetadata: grpc.handleUnaryCall<_tensorflow_serving_GetModelMetadataRequest__Output, _tensorflow_serving_GetModelMetadataResponse>;
  
  Predict: grpc.handleUnaryCall<_tensorflow_serving_PredictRequest__Output, _tensorflow_serving_PredictResponse>;
  
}

export interface PredictionServiceDefinition extends grpc.ServiceDefinition {
  GetModelMetadata: MethodDefinition<_tensorflow_serving_GetModelMetadataRequest, _tensorflow_serving_GetModelMetadataResponse, _tensorflow_serving_GetModelMetadataRequest__Output, _tensorflow_serving_GetModelMetadataResponse__Output>
  Predict: MethodDefinition<_tensorflow_serving_PredictRequest, _tensorflow_serving_PredictResponse, _tensorflow_serving_PredictRequest__Output, _tensorflow_serving_PredictResponse__Output>
}
