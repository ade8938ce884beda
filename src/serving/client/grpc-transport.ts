/**
 * `predict --grpc`'s transport: the same two calls as the REST client (./rest-client.ts),
 * over TF Serving's gRPC API. Images travel as one [N,28,28,1] DT_FLOAT tensor in
 * `tensor_content` (raw little-endian floats, as TF Serving clients' make_tensor_proto sends
 * them). Unknown model, version, label or bad input (INVALID_ARGUMENT, NOT_FOUND,
 * FAILED_PRECONDITION) are the caller's input errors; anything else is operational.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import { OperationalError, UserInputError } from '../../errors.ts';
import { servedVersion, type ModelTarget } from './rest-client.ts';
import { IMAGE_SIZE } from './mnist-image.ts';
import { tensorFromProto } from '../servable/host-tensor.ts';
import { ServingClient, isServiceError } from './grpc-client.ts';
import { SIGNATURE_DEF_FIELD, type ModelSpec } from '../apis/protos.ts';
import { statusName } from '../apis/status-codes.ts';

const INPUT_ERRORS = new Set([GrpcStatus.INVALID_ARGUMENT, GrpcStatus.NOT_FOUND, GrpcStatus.FAILED_PRECONDITION]);

function modelSpec(target: ModelTarget): ModelSpec {
  return {
    name: target.model,
    ...(target.version !== undefined && { version: { value: target.version } }),
    ...(target.label !== undefined && { version_label: target.label }),
    ...(target.signatureName && { signature_name: target.signatureName }),
  };
}

async function withClient<T>(
  target: ModelTarget,
  method: string,
  call: (client: ServingClient) => Promise<T>,
): Promise<T> {
  const client = new ServingClient(target.server);
  try {
    return await call(client);
  } catch (error) {
    if (!isServiceError(error)) throw error;
    const where = `${target.server} ${method}`;
    if (INPUT_ERRORS.has(error.code)) throw new UserInputError(`${where}: ${statusName(error)}: ${error.details}`);
    // Nothing listening, a full batch queue and a draining server all answer UNAVAILABLE.
    if (error.code === GrpcStatus.UNAVAILABLE)
      throw new OperationalError(`the gRPC server at ${target.server} is unavailable: ${error.details}`);
    throw new OperationalError(`${where}: ${statusName(error)}: ${error.details}`);
  } finally {
    client.close();
  }
}

/** The version the target resolves to right now, as GetModelMetadata reports it. */
export function resolveVersion(target: ModelTarget): Promise<number> {
  return withClient(target, 'GetModelMetadata', async (client) => {
    const response = await client.getModelMetadata({
      model_spec: modelSpec(target),
      metadata_field: [SIGNATURE_DEF_FIELD],
    });
    return servedVersion(response.model_spec?.version?.value, `${target.server} GetModelMetadata`);
  });
}

/**
 * One `{output: value}` object per image: rank-1 outputs give a number per image, others an
 * array. A signature with a single output names it `output`, as the REST row format's plain
 * values are named, so callers read both transports the same way.
 */
export function predictImages(target: ModelTarget, images: Float32Array[]): Promise<Record<string, unknown>[]> {
  return withClient(target, 'Predict', async (client) => {
    const pixels = new Float32Array(images.length * IMAGE_SIZE * IMAGE_SIZE);
    images.forEach((image, i) => pixels.set(image, i * IMAGE_SIZE * IMAGE_SIZE));
    const response = await client.predict({
      model_spec: modelSpec(target),
      inputs: {
        image: {
          dtype: 'DT_FLOAT',
          tensor_shape: { dim: [images.length, IMAGE_SIZE, IMAGE_SIZE, 1].map((size) => ({ size })) },
          tensor_content: Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength),
        },
      },
    });
    const outputs = Object.entries(response.outputs ?? {});
    const rows = images.map(() => ({}) as Record<string, unknown>);
    for (const [name, proto] of outputs) {
      const tensor = tensorFromProto(proto, name);
      if (tensor.shape[0] !== images.length) {
        throw new OperationalError(
          `${target.server} Predict: output ${name} has shape [${tensor.shape}], expected ${images.length} rows`,
        );
      }
      const rowSize = tensor.values.length / images.length;
      const key = outputs.length === 1 ? 'output' : name;
      rows.forEach((row, i) => {
        const values = Array.from(tensor.values.slice(i * rowSize, (i + 1) * rowSize) as ArrayLike<unknown>);
        row[key] = tensor.shape.length === 1 ? values[0] : values;
      });
    }
    return rows;
  });
}
