/**
 * TF Serving's JSON predict request (tensorflow_serving/util/json_tensor.cc):
 * `{"signature_name"?, "instances": [...]}` (row format: one element per example, a plain
 * value/list when the signature has one input, else an object keyed by input name) or
 * `{"inputs": ...}` (columnar: the whole tensor, or an object of tensors), with the same checks
 * and messages as TF Serving. Each value becomes a tensor in json-values.ts.
 */
import type { TensorInfo__Output } from '../../formats/proto/types.ts';
import { invalidArgument } from '../serving-errors.ts';
import { elementCount, shapeString, type TensorMap } from '../servable/host-tensor.ts';
import { denseValues, preview, toTensor, type Json } from './json-values.ts';
import { checkRequestRows, MAX_RANK, type RequestLimits } from '../servable/request-limits.ts';

export type JsonFormat = 'row' | 'columnar';

export interface JsonPredictRequest {
  signatureName: string;
  format: JsonFormat;
  /** Builds the tensors once the signature's inputs are known, checking sizes before allocating. */
  tensors(inputs: Record<string, TensorInfo__Output>, limits: RequestLimits): TensorMap;
}

export function parsePredictRequest(body: string): JsonPredictRequest {
  if (body.length === 0) throw invalidArgument('JSON Parse error: The document is empty');
  checkNesting(body);
  let doc: Json;
  try {
    doc = JSON.parse(body) as Json;
  } catch (error) {
    throw invalidArgument(`JSON Parse error: ${(error as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw invalidArgument(`JSON Value: ${preview(doc)} Is not object`);
  const signature = doc.signature_name;
  if (signature !== undefined && typeof signature !== 'string') {
    throw invalidArgument(
      `JSON Value: ${preview(doc)} not formatted correctly. 'signature_name' key must be a string value.`,
    );
  }
  const { instances, inputs } = doc;
  if (instances !== undefined && inputs !== undefined) {
    throw invalidArgument(
      `JSON Value: ${preview(doc)} Not formatted correctly ` +
        "expecting only one of 'inputs' or 'instances' keys to exist ",
    );
  }
  if (instances !== undefined) {
    if (!Array.isArray(instances))
      throw invalidArgument(`JSON Value: ${preview(doc)} Excepting 'instances' to be an list/array`);
    if (instances.length === 0) throw invalidArgument(`JSON Value: ${preview(doc)} No values in 'instances' array`);
    return {
      signatureName: signature ?? '',
      format: 'row',
      tensors: (infos, limits) => tensorsFromInstances(instances, infos, limits),
    };
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
      if (++depth > MAX_NESTING)
        throw invalidArgument(
          `JSON Parse error: nested deeper than ${MAX_NESTING} levels (a tensor has at most ${MAX_RANK} dimensions)`,
        );
    } else if (code === 0x5d || code === 0x7d) {
      depth--;
    }
  }
}

function tensorsFromInstances(
  instances: Json[],
  infos: Record<string, TensorInfo__Output>,
  limits: RequestLimits,
): TensorMap {
  const names = Object.keys(infos).sort();
  checkRequestRows(names.join(','), instances.length, limits);
  const objects = isObject(instances[0]!);
  if (!objects && names.length > 1) {
    throw invalidArgument(
      'instances is a plain list, but expecting list of objects ' +
        'as multiple input tensors required as per tensorinfo_map',
    );
  }
  const rows: Record<string, { shape: number[]; values: unknown[] }[]> = Object.fromEntries(
    names.map((name) => [name, []]),
  );
  instances.forEach((element, index) => {
    if (objects !== isObject(element)) {
      throw invalidArgument(
        objects
          ? `Expecting object but got list at item ${index} of input list`
          : `Expecting value/list but got object at item ${index} of input list`,
      );
    }
    const items: [string, Json][] = objects
      ? Object.entries(element as { [key: string]: Json })
      : [[names[0]!, element]];
    for (const [name, value] of items) {
      const info = infos[name];
      if (!info)
        throw invalidArgument(
          `Failed to process element: ${index} key: ${name} of 'instances' list. ` +
            `Error: JSON object: does not have named input: ${name}`,
        );
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
        throw invalidArgument(
          `Failed to process element: ${where} of 'instances' list. Error: ${(error as Error).message}`,
        );
      }
    }
    if (
      objects &&
      Object.keys(element as object)
        .sort()
        .join(',') !== names.join(',')
    ) {
      throw invalidArgument(
        `Failed to process element: ${index} of 'instances' list. JSON object: ` +
          `${preview(element)} keys must be equal to: ${names.join(',')}`,
      );
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
      throw invalidArgument(
        'inputs is a plain value/list, ' +
          'but expecting an object as multiple input tensors required as per tensorinfo_map',
      );
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
