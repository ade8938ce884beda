/**
 * The Open Inference Protocol's REST inference bodies, with the binary tensor data extension:
 * - a request is a JSON object (`id`, `parameters`, `inputs`: name/shape/datatype/data with data
 *   flat or nested, `outputs`: name/parameters); with an `Inference-Header-Content-Length: N`
 *   header the JSON is the body's first N bytes and is followed by the raw bytes (datatypes.ts)
 *   of each input whose parameters give `binary_data_size`, in input order, nothing else;
 * - a response lists the outputs with flat `data`, or, for an output asked for in binary (its
 *   `binary_data` parameter, else the request's `binary_data_output`), `binary_data_size` in its
 *   parameters and its raw bytes after the JSON, whose length the response's
 *   Inference-Header-Content-Length gives.
 * FP32 values are written as TF Serving's REST API writes them (formatDecimal), so both APIs
 * answer the same text for the same floats.
 */
import { invalidArgument } from '../../serving-errors.ts';
import { formatDecimal } from '../../predict/decimal-format.ts';
import type { HostTensor } from '../../servable/host-tensor.ts';
import { checkedElementCount, isV2Datatype, rawBytes, tensorFromRaw, tensorFromValues } from './datatypes.ts';
import {
  SIGNATURE_PARAMETER,
  type InferInput,
  type InferOutput,
  type InferRequest,
  type InferResult,
} from './inference.ts';
import { FLOAT32_MAX } from '../../../formats/tensorflow/constants.ts';

export const HEADER_LENGTH_HEADER = 'inference-header-content-length';
const BINARY_SIZE = 'binary_data_size';
const BINARY_OUTPUT = 'binary_data';
const ALL_BINARY_OUTPUT = 'binary_data_output';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface ParsedInfer {
  request: Omit<InferRequest, 'modelName' | 'modelVersion'>;
  /** Whether an output goes back as raw bytes. */
  binaryOutput(name: string): boolean;
}

function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The request body; `headerLength` is the Inference-Header-Content-Length header, if sent. */
export function parseInferBody(body: Buffer, headerLength: string | undefined): ParsedInfer {
  const jsonLength = headerLength === undefined ? body.length : Number(headerLength);
  if (!Number.isInteger(jsonLength) || jsonLength < 0 || jsonLength > body.length) {
    throw invalidArgument(
      `Inference-Header-Content-Length ${headerLength} is not a byte count within the ${body.length}-byte body`,
    );
  }
  let doc: Json;
  try {
    doc = JSON.parse(body.toString('utf8', 0, jsonLength)) as Json;
  } catch (error) {
    throw invalidArgument(`the inference request is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(doc)) throw invalidArgument('the inference request must be a JSON object');
  // Optional fields may also be null, as some clients send them unset.
  const id = doc.id ?? undefined;
  if (id !== undefined && typeof id !== 'string') throw invalidArgument('"id" must be a string');
  const parameters = objectField(doc.parameters, 'parameters');
  const signatureName = parameters[SIGNATURE_PARAMETER];
  if (signatureName !== undefined && typeof signatureName !== 'string')
    throw invalidArgument(`parameters.${SIGNATURE_PARAMETER} must be a string`);
  if (!Array.isArray(doc.inputs) || doc.inputs.length === 0)
    throw invalidArgument('"inputs" must be a non-empty array');
  const binary = { offset: jsonLength };
  const inputs = doc.inputs.map((input, index) => parseInput(input, index, body, binary));
  if (binary.offset !== body.length)
    throw invalidArgument(
      `${body.length - binary.offset} bytes after the JSON header belong to no input's ${BINARY_SIZE}`,
    );
  const allBinary = booleanParameter(parameters, ALL_BINARY_OUTPUT, 'parameters') ?? false;
  const perOutput = new Map<string, boolean>();
  const requested = doc.outputs ?? [];
  if (!Array.isArray(requested)) throw invalidArgument('"outputs" must be an array');
  const outputs = requested.map((output, index) => {
    if (!isObject(output) || typeof output.name !== 'string')
      throw invalidArgument(`outputs[${index}] must be an object with a string "name"`);
    const wanted = booleanParameter(
      objectField(output.parameters, `outputs[${index}].parameters`),
      BINARY_OUTPUT,
      `outputs[${index}].parameters`,
    );
    if (wanted !== undefined) perOutput.set(output.name, wanted);
    return output.name;
  });
  return {
    request: {
      ...(id !== undefined && { id }),
      ...(signatureName !== undefined && { signatureName }),
      inputs,
      outputs,
    },
    binaryOutput: (name) => perOutput.get(name) ?? allBinary,
  };
}

function objectField(value: Json | undefined, field: string): JsonObject {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw invalidArgument(`"${field}" must be an object`);
  return value;
}

function booleanParameter(parameters: JsonObject, name: string, where: string): boolean | undefined {
  const value = parameters[name];
  if (value !== undefined && typeof value !== 'boolean')
    throw invalidArgument(`${where}.${name} must be true or false`);
  return value as boolean | undefined;
}

function parseInput(input: Json, index: number, body: Buffer, binary: { offset: number }): InferInput {
  if (!isObject(input) || typeof input.name !== 'string')
    throw invalidArgument(`inputs[${index}] must be an object with a string "name"`);
  const { name, datatype, shape, data } = input;
  if (typeof datatype !== 'string' || !isV2Datatype(datatype))
    throw invalidArgument(
      `input ${name}: "datatype" ${JSON.stringify(datatype)} is not one of the protocol's datatypes`,
    );
  if (!Array.isArray(shape) || shape.some((size) => typeof size !== 'number'))
    throw invalidArgument(`input ${name}: "shape" must be an array of integers`);
  const dims = shape as number[];
  const count = checkedElementCount(name, dims);
  const size = objectField(input.parameters, `input ${name} parameters`)[BINARY_SIZE];
  if (size !== undefined) {
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
      throw invalidArgument(`input ${name}: ${BINARY_SIZE} must be a non-negative integer`);
    if (data !== undefined) throw invalidArgument(`input ${name}: has both "data" and ${BINARY_SIZE}`);
    if (binary.offset + size > body.length)
      throw invalidArgument(`input ${name}: ${BINARY_SIZE} ${size} runs past the end of the body`);
    const bytes = body.subarray(binary.offset, binary.offset + size);
    binary.offset += size;
    return { name, datatype, shape: dims, decode: () => tensorFromRaw(name, datatype, dims, bytes) };
  }
  if (data === undefined) throw invalidArgument(`input ${name}: has neither "data" nor ${BINARY_SIZE}`);
  return {
    name,
    datatype,
    shape: dims,
    decode: () => tensorFromValues(name, datatype, dims, flatData(name, datatype, data, count)),
  };
}

/**
 * The values of `data`, flat or nested, in row-major order, each checked to be of the
 * datatype's JSON kind; stops as soon as there are more than the shape holds.
 */
function flatData(name: string, datatype: string, data: Json, count: number): unknown[] {
  const values: unknown[] = [];
  const kind = datatype === 'BOOL' ? 'boolean' : datatype === 'BYTES' ? 'string' : 'number';
  const integer = kind === 'number' && !datatype.startsWith('FP');
  const visit = (node: Json): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (values.length === count)
      throw invalidArgument(`input ${name}: "data" holds more than the ${count} values its shape holds`);
    if (
      typeof node !== kind ||
      (integer && !Number.isInteger(node)) ||
      (datatype === 'FP32' && Math.abs(node as number) > FLOAT32_MAX)
    ) {
      throw invalidArgument(
        `input ${name}: ${JSON.stringify(node)} at index ${values.length} is not a ${datatype} value`,
      );
    }
    values.push(node);
  };
  visit(data);
  return values;
}

/** The response: JSON, or JSON followed by raw outputs (then `headerLength` is the JSON's length). */
export function renderInferResponse(
  result: InferResult,
  binaryOutput: (name: string) => boolean,
): { body: Buffer; headerLength?: number } {
  const blobs: Buffer[] = [];
  const outputs = result.outputs.map((output) => {
    const shape = JSON.stringify(output.tensor.shape);
    const head = `{"name":${JSON.stringify(output.name)},"datatype":"${output.datatype}","shape":${shape}`;
    if (!binaryOutput(output.name)) return `${head},"data":${jsonData(output)}}`;
    const bytes = rawBytes(output.tensor);
    blobs.push(bytes);
    return `${head},"parameters":{"${BINARY_SIZE}":${bytes.length}}}`;
  });
  const id = result.id === undefined ? '' : `,"id":${JSON.stringify(result.id)}`;
  const modelName = JSON.stringify(result.modelName);
  const json = Buffer.from(
    `{"model_name":${modelName},"model_version":"${result.modelVersion}"${id},"outputs":[${outputs.join(',')}]}`,
  );
  if (blobs.length === 0) return { body: json };
  return { body: Buffer.concat([json, ...blobs]), headerLength: json.length };
}

function jsonData({ datatype, tensor }: InferOutput): string {
  const parts = new Array<string>(tensor.values.length);
  for (let i = 0; i < parts.length; i++) parts[i] = jsonValue(datatype, tensor, i);
  return `[${parts.join(',')}]`;
}

function jsonValue(datatype: string, tensor: HostTensor, index: number): string {
  const value = tensor.values[index]!;
  if (datatype === 'FP32') return formatDecimal(value as number, 6, 9, Math.fround);
  if (datatype === 'FP64') return formatDecimal(value as number, 6, 17, (x) => x);
  if (datatype === 'BOOL') return value ? 'true' : 'false';
  if (datatype === 'BYTES') return JSON.stringify(value);
  return String(value);
}
