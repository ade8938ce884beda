/**
 * TF Serving's JSON predict response (tensorflow_serving/util/json_tensor.cc):
 * `{"predictions": [...]}` for rows (an object per example when there are several outputs) or
 * `{"outputs": ...}` for columns; floats written as TF Serving writes them (decimal-format.ts).
 */
import { invalidArgument } from '../serving-errors.ts';
import { formatDecimal } from './decimal-format.ts';
import type { HostTensor, TensorMap } from '../servable/host-tensor.ts';
import type { JsonFormat } from './json-request.ts';

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
    if (tensor.shape[0] !== batch)
      throw invalidArgument(`Tensor name: ${name} has inconsistent batch size: ${tensor.shape[0]} expecting: ${batch}`);
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
    case 'DT_FLOAT':
      return formatDecimal(value as number, 6, 9, Math.fround);
    case 'DT_DOUBLE':
      return formatDecimal(value as number, 6, 17, (x) => x);
    case 'DT_BOOL':
      return value ? 'true' : 'false';
    case 'DT_STRING':
      return JSON.stringify(value);
    default:
      return String(value);
  }
}
