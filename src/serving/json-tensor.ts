/**
 * TF Serving's JSON tensor encoding (tensorflow_serving/util/json_tensor.cc), both ways:
 * - requests: `{"signature_name"?, "instances": [...]}` (row format: one element per example,
 *   a plain value/list when the signature has one input, else an object keyed by input name) or
 *   `{"inputs": ...}` (columnar: the whole tensor, or an object of tensors), with the same checks
 *   and messages as TF Serving;
 * - responses: `{"predictions": [...]}` for rows (an object per example when there are several
 *   outputs) or `{"outputs": ...}` for columns; floats are written the way TF Serving writes them
 *   (shortest of %g with 6 digits that round-trips, else 9; whole numbers get ".0").
 */
import type { DataTypeName, TensorInfo__Output } from '../formats/proto/types.ts';
import { invalidArgument, ServingError } from './errors.ts';
import { checkDeclaredShape, checkRequestRows, MAX_RANK, type RequestLimits } from './request-limits.ts';
import { dtypeString, elementCount, shapeString, type HostTensor, type TensorMap } from './tensor.ts';
import { FLOAT32_MAX } from '../formats/tensorflow/constants.ts';

export type JsonFormat = 'row' | 'columnar';

export interface JsonPredictRequest {
  signatureName: string;
  format: JsonFormat;
  /** Builds the tensors once the signature's inputs are known, checking sizes before allocating. */
  tensors(inputs: Record<string, TensorInfo__Output>, limits: RequestLimits): TensorMap;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function parsePredictRequest(body: string): JsonPredictRequest {
  if (body.length === 0) throw invalidArgument('JSON Parse error: The document is empty');
  checkNesting(body);
  let doc: Json;
  try {
    doc = JSON.parse(body) as Json;
  } catch (error) {
    throw invalidArgument(`JSON Parse error: ${(error as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw invalidArgument(`JSON Value: ${preview(doc)} Is not object`);
  const signature = doc.signature_name;
  if (signature !== undefined && typeof signature !== 'string') {
    throw invalidArgument(`JSON Value: ${preview(doc)} not formatted correctly. 'signature_name' key must be a string value.`);
  }
  const { instances, inputs } = doc;
  if (instances !== undefined && inputs !== undefined) {
    throw invalidArgument(`JSON Value: ${preview(doc)} Not formatted correctly expecting only one of 'inputs' or 'instances' keys to exist `);
  }
  if (instances !== undefined) {
    if (!Array.isArray(instances)) throw invalidArgument(`JSON Value: ${preview(doc)} Excepting 'instances' to be an list/array`);
    if (instances.length === 0) throw invalidArgument(`JSON Value: ${preview(doc)} No values in 'instances' array`);
    return { signatureName: signature ?? '', format: 'row', tensors: (infos, limits) => tensorsFromInstances(instances, infos, limits) };
  }
  if (inputs !== undefined) {
    return { signatureName: signature ?? '', format: 'columnar', tensors: (infos) => tensorsFromInputs(inputs, infos) };
  }
  throw invalidArgument("Missing 'inputs' or 'instances' key");
}

function isObject(value: Json): value is { [key: string]: Json } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A request's nesting, checked on the text before JSON.parse builds it: a tensor has at most
 * MAX_RANK dimensions, and the request object, `inputs` and an instance object add three levels.
 * Parsing a 16 MiB body of brackets alone takes seconds of the event loop; this scan ~20 ms.
 */
const MAX_NESTING = MAX_RANK + 3;

function checkNesting(body: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const code = body.charCodeAt(i);
    if (inString) {
      if (code === 0x5c) i++;
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x5b || code === 0x7b) {
      if (++depth > MAX_NESTING) throw invalidArgument(`JSON Parse error: nested deeper than ${MAX_NESTING} levels (a tensor has at most ${MAX_RANK} dimensions)`);
    } else if (code === 0x5d || code === 0x7d) {
      depth--;
    }
  }
}

function tensorsFromInstances(instances: Json[], infos: Record<string, TensorInfo__Output>, limits: RequestLimits): TensorMap {
  const names = Object.keys(infos).sort();
  checkRequestRows(names.join(','), instances.length, limits);
  const objects = isObject(instances[0]!);
  if (!objects && names.length > 1) {
    throw invalidArgument('instances is a plain list, but expecting list of objects as multiple input tensors required as per tensorinfo_map');
  }
  const rows: Record<string, { shape: number[]; values: unknown[] }[]> = Object.fromEntries(names.map((name) => [name, []]));
  instances.forEach((element, index) => {
    if (objects !== isObject(element)) {
      throw invalidArgument(objects ? `Expecting object but got list at item ${index} of input list` : `Expecting value/list but got object at item ${index} of input list`);
    }
    const items: [string, Json][] = objects ? Object.entries(element as { [key: string]: Json }) : [[names[0]!, element]];
    for (const [name, value] of items) {
      const info = infos[name];
      if (!info) throw invalidArgument(`Failed to process element: ${index} key: ${name} of 'instances' list. Error: JSON object: does not have named input: ${name}`);
      try {
        const item = denseValues(value, info.dtype ?? 'DT_INVALID', name);
        const first = rows[name]![0];
        if (first && elementCount(first.shape) !== item.values.length) {
          throw invalidArgument(`Expecting tensor size: ${elementCount(first.shape)} but got: ${item.values.length}`);
        }
        if (first && shapeString(first.shape) !== shapeString(item.shape)) {
          throw invalidArgument(`Expecting shape ${shapeString(first.shape)} but got: ${shapeString(item.shape)}`);
        }
        rows[name]!.push(item);
      } catch (error) {
        const where = objects ? `${index} key: ${name}` : `${index}`;
        throw invalidArgument(`Failed to process element: ${where} of 'instances' list. Error: ${(error as Error).message}`);
      }
    }
    if (objects && Object.keys(element as object).sort().join(',') !== names.join(',')) {
      throw invalidArgument(`Failed to process element: ${index} of 'instances' list. JSON object: ${preview(element)} keys must be equal to: ${names.join(',')}`);
    }
  });
  const tensors: TensorMap = {};
  for (const name of names) {
    const items = rows[name]!;
    const values: unknown[] = [];
    for (const item of items) for (let i = 0; i < item.values.length; i++) values.push(item.values[i]);
    tensors[name] = toTensor(infos[name]!.dtype!, [items.length, ...items[0]!.shape], values);
  }
  return tensors;
}

function tensorsFromInputs(inputs: Json, infos: Record<string, TensorInfo__Output>): TensorMap {
  const names = Object.keys(infos);
  if (!isObject(inputs)) {
    if (names.length > 1) {
      throw invalidArgument('inputs is a plain value/list, but expecting an object as multiple input tensors required as per tensorinfo_map');
    }
    const dtype = infos[names[0]!]!.dtype!;
    const { shape, values } = denseValues(inputs, dtype, names[0]!);
    return { [names[0]!]: toTensor(dtype, shape, values) };
  }
  const tensors: TensorMap = {};
  for (const name of names) {
    if (!(name in inputs)) throw invalidArgument(`Missing named input: ${name} in 'inputs' object.`);
    const dtype = infos[name]!.dtype!;
    const { shape, values } = denseValues(inputs[name]!, dtype, name);
    tensors[name] = toTensor(dtype, shape, values);
  }
  return tensors;
}

/**
 * The shape (from the first element at each level) and the values, checking every list's size.
 * The shape is checked against the limits before the values are allocated: the first elements
 * alone can declare far more values than the body holds ([[1e4 numbers], 1, …] × 1e4).
 * The innermost lists are walked in a loop rather than by recursion: they hold nearly all the
 * values (784 per image), and this is the server's hottest code.
 */
function denseValues(value: Json, dtype: DataTypeName, name: string): { shape: number[]; values: unknown[] } {
  const shape: number[] = [];
  for (let level: Json = value; Array.isArray(level); level = level[0] ?? null) {
    shape.push(level.length);
    if (level.length === 0) break;
  }
  checkDeclaredShape(name, shape);
  const rank = shape.length;
  if (rank === 0) return { shape, values: [scalar(value, dtype)] };
  const values: unknown[] = new Array(elementCount(shape));
  const float = dtype === 'DT_FLOAT' || dtype === 'DT_DOUBLE';
  let index = 0;
  const fill = (node: Json, level: number): void => {
    if (!Array.isArray(node)) {
      throw invalidArgument(`JSON Value: ${preview(node)} found at incorrect level: ${level + 1} in the JSON DOM. Expected at level: ${rank}`);
    }
    if (node.length !== shape[level]) {
      throw invalidArgument(`Encountered list at unexpected size: ${node.length} at level: ${level} expected size: ${shape[level]}`);
    }
    if (level < rank - 1) {
      for (let i = 0; i < node.length; i++) fill(node[i]!, level + 1);
      return;
    }
    for (let i = 0; i < node.length; i++) {
      const leaf = node[i]!;
      if (float && typeof leaf === 'number' && leaf <= FLOAT32_MAX && leaf >= -FLOAT32_MAX) values[index++] = leaf;
      else if (Array.isArray(leaf)) throw invalidArgument(`Encountered list at unexpected level: ${rank} expected < ${rank}`);
      else values[index++] = scalar(leaf, dtype);
    }
  };
  fill(value, 0);
  return { shape, values };
}

function scalar(value: Json, dtype: DataTypeName): unknown {
  const typeError = () =>
    invalidArgument(`JSON Value: ${preview(value)} Type: ${jsonType(value)} is not of expected type: ${dtypeString(dtype)}`);
  switch (dtype) {
    case 'DT_FLOAT':
    case 'DT_DOUBLE':
      if (typeof value !== 'number') throw typeError();
      if (dtype === 'DT_FLOAT' && Math.abs(value) > FLOAT32_MAX) {
        throw invalidArgument(`Cannot convert JSON value: ${preview(value)} to float without loss of precision.`);
      }
      return value;
    case 'DT_INT32':
    case 'DT_INT16':
    case 'DT_INT8':
    case 'DT_UINT8':
      if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) > 2 ** 31) throw typeError();
      return value;
    case 'DT_INT64':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw typeError();
      return value;
    case 'DT_BOOL':
      if (typeof value !== 'boolean') throw typeError();
      return value ? 1 : 0;
    case 'DT_STRING':
      if (typeof value !== 'string') throw typeError();
      return value;
    default:
      throw new ServingError('UNIMPLEMENTED', `Conversion of JSON Value: ${preview(value)} to type: ${dtypeString(dtype)}`);
  }
}

function toTensor(dtype: DataTypeName, shape: number[], values: unknown[]): HostTensor {
  if (dtype === 'DT_FLOAT') return { dtype, shape, values: new Float32Array(values as number[]) };
  if (dtype === 'DT_STRING') return { dtype, shape, values: values as string[] };
  if (dtype === 'DT_DOUBLE') return { dtype, shape, values: Float64Array.from(values as number[]) };
  if (dtype === 'DT_BOOL') return { dtype, shape, values: Uint8Array.from(values as number[]) };
  return { dtype, shape, values: Int32Array.from(values as number[]) };
}

function jsonType(value: Json): string {
  if (value === null) return 'Null';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (Array.isArray(value)) return 'Array';
  return { object: 'Object', string: 'String', number: 'Number' }[typeof value as 'object' | 'string' | 'number'];
}

/** A JSON value for an error message, cut short: request bodies can be megabytes. */
function preview(value: Json): string {
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

/** The response body for `outputs`, in the request's format. */
export function renderPredictResponse(outputs: TensorMap, format: JsonFormat): string {
  const names = Object.keys(outputs).sort();
  const several = names.length > 1;
  if (format === 'columnar') {
    const body = several
      ? `{${names.map((name) => `${JSON.stringify(name)}: ${renderNested(outputs[name]!, 0, 0).text}`).join(', ')}}`
      : renderNested(outputs[names[0]!]!, 0, 0).text;
    return `{"outputs": ${body}}`;
  }
  const batch = outputs[names[0]!]!.shape[0] ?? 0;
  for (const name of names) {
    const tensor = outputs[name]!;
    if (tensor.shape.length === 0) throw invalidArgument(`Tensor name: ${name} has no shape information `);
    if (tensor.shape[0] !== batch) throw invalidArgument(`Tensor name: ${name} has inconsistent batch size: ${tensor.shape[0]} expecting: ${batch}`);
  }
  const rows: string[] = [];
  const offsets = Object.fromEntries(names.map((name) => [name, 0]));
  for (let row = 0; row < batch; row++) {
    const parts = names.map((name) => {
      const rendered = renderNested(outputs[name]!, 1, offsets[name]!);
      offsets[name] = rendered.offset;
      return several ? `${JSON.stringify(name)}: ${rendered.text}` : rendered.text;
    });
    rows.push(several ? `{${parts.join(', ')}}` : parts[0]!);
  }
  return `{"predictions": [${rows.join(', ')}]}`;
}

function renderNested(tensor: HostTensor, dim: number, offset: number): { text: string; offset: number } {
  if (dim >= tensor.shape.length) return { text: renderScalar(tensor, offset), offset: offset + 1 };
  const parts: string[] = [];
  for (let i = 0; i < tensor.shape[dim]!; i++) {
    const rendered = renderNested(tensor, dim + 1, offset);
    parts.push(rendered.text);
    offset = rendered.offset;
  }
  return { text: `[${parts.join(', ')}]`, offset };
}

function renderScalar(tensor: HostTensor, index: number): string {
  const value = tensor.values[index]!;
  switch (tensor.dtype) {
    case 'DT_FLOAT': return formatDecimal(value as number, 6, 9, Math.fround);
    case 'DT_DOUBLE': return formatDecimal(value as number, 6, 17, (x) => x);
    case 'DT_BOOL': return value ? 'true' : 'false';
    case 'DT_STRING': return JSON.stringify(value);
    default: return String(value);
  }
}

/** TF Serving's WriteDecimal: %g at `short` digits if it round-trips, else at `full` digits. */
export function formatDecimal(value: number, short: number, full: number, roundTrip: (x: number) => number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value < 0 ? '-Infinity' : 'Infinity';
  let text = formatG(value, short);
  if (roundTrip(Number(text)) !== value) text = formatG(value, full);
  return text.includes('.') || text.includes('e') ? text : `${text}.0`;
}

/** C's printf("%.{precision}g"). */
export function formatG(value: number, precision: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  // toPrecision rounds as toExponential does and, when the rounded exponent is in -4..precision-1,
  // writes %g's fixed notation before %g drops trailing zeros: the common case, at a third the cost.
  const fixed = value.toPrecision(precision);
  if (!fixed.includes('e') && !fixed.startsWith(value < 0 ? '-0.0000' : '0.0000')) return stripTrailingZeros(fixed);
  const [mantissa, exponentText] = value.toExponential(precision - 1).split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= precision) {
    return `${stripTrailingZeros(mantissa)}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return stripTrailingZeros(value.toFixed(precision - 1 - exponent));
}

function stripTrailingZeros(digits: string): string {
  if (!digits.includes('.')) return digits;
  let end = digits.length;
  while (digits.charCodeAt(end - 1) === 0x30) end--;
  if (digits.charCodeAt(end - 1) === 0x2e) end--;
  return digits.slice(0, end);
}
