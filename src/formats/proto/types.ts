/**
 * The TensorFlow messages the code builds and reads, as generated from the .proto files by
 * `npm run proto:gen` (./generated; never edit those by hand). `X` is what encodeMessage takes:
 * every field optional, enums as names or numbers, int64 as numbers or strings. `X__Output` is
 * what decodeMessage (and the gRPC services) return: enums as names, int64 as numbers, bytes as
 * Buffers, repeated fields and maps always present, absent scalars left out.
 */
export type { DataType__Output as DataTypeName } from './generated/tensorflow/DataType.ts';
export type { Code__Output as ErrorCodeName } from './generated/tensorflow/error/Code.ts';
export type { AttrValue } from './generated/tensorflow/AttrValue.ts';
export type { BundleEntryProto, BundleEntryProto__Output } from './generated/tensorflow/BundleEntryProto.ts';
export type { BundleHeaderProto, BundleHeaderProto__Output } from './generated/tensorflow/BundleHeaderProto.ts';
export type { CollectionDef } from './generated/tensorflow/CollectionDef.ts';
export type { FunctionDef } from './generated/tensorflow/FunctionDef.ts';
export type { GraphDef, GraphDef__Output } from './generated/tensorflow/GraphDef.ts';
export type { MetaGraphDef__Output } from './generated/tensorflow/MetaGraphDef.ts';
export type { NodeDef, NodeDef__Output } from './generated/tensorflow/NodeDef.ts';
export type { SavedModel, SavedModel__Output } from './generated/tensorflow/SavedModel.ts';
export type { SaverDef } from './generated/tensorflow/SaverDef.ts';
export type { SignatureDef, SignatureDef__Output } from './generated/tensorflow/SignatureDef.ts';
export type { TensorInfo, TensorInfo__Output } from './generated/tensorflow/TensorInfo.ts';
export type { TensorProto, TensorProto__Output } from './generated/tensorflow/TensorProto.ts';
export type { TensorShapeProto, TensorShapeProto__Output } from './generated/tensorflow/TensorShapeProto.ts';
export type { VariableDef } from './generated/tensorflow/VariableDef.ts';
export type { PredictionLog, PredictionLog__Output } from './generated/tensorflow/serving/PredictionLog.ts';
