/**
 * One JSON value as a tensor of a signature input's dtype, as TF Serving converts it: the shape
 * from the nesting (every list's size checked), each scalar checked against the dtype, with
 * TF Serving's messages.
 */
import type { DataTypeName } from '../../formats/proto/types.ts';
import { FLOAT32_MAX } from '../../formats/tensorflow/constants.ts';
import { invalidArgument, ServingError } from '../serving-errors.ts';
import { dtypeString, elementCount, type HostTensor } from '../servable/host-tensor.ts';
import { checkDeclaredShape } from '../servable/request-limits.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * The shape (from the first element at each level) and the values, checking every list's size.
 * The shape is checked against the limits before the values are allocated: the first elements
 * alone can declare far more values than the body holds ([[1e4 numbers], 1, …] × 1e4).
 * The innermost lists are walked in a loop rather than by recursion: they hold nearly all the
 * values (784 per image), and this is the server's hottest code.
 */
export function denseValues(value: Json, dtype: DataTypeName, name: string): { shape: number[]; values: unknown[] } {
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
      throw invalidArgument(
        `JSON Value: ${preview(node)} found at incorrect level: ` +
          `${level + 1} in the JSON DOM. Expected at level: ${rank}`,
      );
    }
    if (node.length !== shape[level]) {
      throw invalidArgument(
        `Encountered list at unexpected size: ${node.length} at level: ${level} expected size: ${shape[level]}`,
      );
    }
    if (level < rank - 1) {
      for (let i = 0; i < node.length; i++) fill(node[i]!, level + 1);
      return;
    }
    for (let i = 0; i < node.length; i++) {
      const leaf = node[i]!;
      if (float && typeof leaf === 'number' && leaf <= FLOAT32_MAX && leaf >= -FLOAT32_MAX) values[index++] = leaf;
      else if (Array.isArray(leaf))
        throw invalidArgument(`Encountered list at unexpected level: ${rank} expected < ${rank}`);
      else values[index++] = scalar(leaf, dtype);
    }
  };
  fill(value, 0);
  return { shape, values };
}

function scalar(value: Json, dtype: DataTypeName): unknown {
  const typeError = () =>
    invalidArgument(
      `JSON Value: ${preview(value)} Type: ${jsonType(value)} is not of expected type: ${dtypeString(dtype)}`,
    );
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
      throw new ServingError(
        'UNIMPLEMENTED',
        `Conversion of JSON Value: ${preview(value)} to type: ${dtypeString(dtype)}`,
      );
  }
}

export function toTensor(dtype: DataTypeName, shape: number[], values: unknown[]): HostTensor {
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
export function preview(value: Json): string {
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
