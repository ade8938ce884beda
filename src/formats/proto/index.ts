/**
 * TensorFlow's protobuf messages, from the .proto subset beside this file (laid out under
 * TensorFlow's own import paths, so TF Serving's protos can import them unchanged).
 * Encoding and decoding are protobufjs's; this module only loads the schema and converts to
 * and from the plain objects whose types `npm run proto:gen` generates (./types.ts names them).
 * It is the one loader: files and the gRPC services (src/serving/apis/protos.ts) both use it.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

export const PROTO_ROOT = path.dirname(fileURLToPath(import.meta.url));

/** Every .proto the project uses, relative to PROTO_ROOT. */
export const PROTO_FILES = [
  'tensorflow/core/framework/types.proto',
  'tensorflow/core/framework/tensor_shape.proto',
  'tensorflow/core/framework/tensor.proto',
  'tensorflow/core/framework/attr_value.proto',
  'tensorflow/core/framework/node_def.proto',
  'tensorflow/core/framework/versions.proto',
  'tensorflow/core/framework/op_def.proto',
  'tensorflow/core/framework/function.proto',
  'tensorflow/core/framework/graph.proto',
  'tensorflow/core/framework/variable.proto',
  'tensorflow/core/protobuf/saver.proto',
  'tensorflow/core/protobuf/meta_graph.proto',
  'tensorflow/core/protobuf/saved_model.proto',
  'tensorflow/core/protobuf/tensor_bundle.proto',
  'tensorflow/core/protobuf/checkpoint_state.proto',
  'tensorflow/core/protobuf/error_codes.proto',
  'tensorflow_serving/apis/model.proto',
  'tensorflow_serving/apis/predict.proto',
  'tensorflow_serving/apis/prediction_log.proto',
  'tensorflow_serving/apis/status.proto',
  'tensorflow_serving/apis/get_model_status.proto',
  'tensorflow_serving/apis/get_model_metadata.proto',
  'tensorflow_serving/apis/prediction_service.proto',
  'tensorflow_serving/apis/model_service.proto',
  'inference/grpc_service.proto',
];

let root: protobuf.Root | undefined;

export function protoRoot(): protobuf.Root {
  if (root) return root;
  const loaded = new protobuf.Root();
  // google/protobuf/* come bundled with protobufjs; everything else lives under PROTO_ROOT.
  loaded.resolvePath = (_origin, target) =>
    target.startsWith('google/protobuf/') || path.isAbsolute(target) ? target : path.join(PROTO_ROOT, target);
  loaded.loadSync(PROTO_FILES, { keepCase: true });
  loaded.resolveAll();
  root = loaded;
  return root;
}

export function messageType(name: string): protobuf.Type {
  return protoRoot().lookupType(name);
}

/** Encodes a plain object (enums as names or numbers, int64 as number or string). */
export function encodeMessage(typeName: string, value: object): Uint8Array {
  const type = messageType(typeName);
  // fromObject maps enum names to numbers; verify the result, since verify() wants numbers.
  const message = type.fromObject(value);
  const problem = type.verify(message);
  if (problem) throw new Error(`invalid ${typeName}: ${problem}`);
  return type.encode(message).finish();
}

/**
 * Decodes bytes into a plain object of the generated `X__Output` shape (./types.ts): enums as
 * their names, int64 as numbers, bytes as Buffers (views of `bytes`), absent scalars left out
 * (proto3 defaults), absent repeated fields as [] and maps as {}, and the set oneof member named.
 */
export function decodeMessage<T>(typeName: string, bytes: Uint8Array): T {
  const type = messageType(typeName);
  // protobufjs hands out Buffers for bytes fields only when it reads from a Buffer.
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return type.toObject(type.decode(buffer), {
    enums: String,
    longs: Number,
    arrays: true,
    objects: true,
    oneofs: true,
  }) as T;
}
