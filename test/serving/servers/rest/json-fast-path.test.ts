import { describe, expect, it } from 'vitest';
import type { TensorInfo__Output } from '../../../../src/formats/proto/types.ts';
import { parseNumericInstances, parsePredictBody } from '../../../../src/serving/servers/rest/json-fast-path.ts';
import { parsePredictRequest } from '../../../../src/serving/predict/json-request.ts';
import { defaultRequestLimits } from '../../../../src/serving/servable/request-limits.ts';
import { seededRandom } from '../../../../src/util/random.ts';

const limits = defaultRequestLimits();
const image: Record<string, TensorInfo__Output> = {
  image: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: -1 }, { size: 2 }] } },
};
const int64: Record<string, TensorInfo__Output> = { ids: { dtype: 'DT_INT64' } };

/** The general parser's answer (or error message) for a body, to compare the fast path against. */
function general(body: string, infos: Record<string, TensorInfo__Output>) {
  try {
    const request = parsePredictRequest(body);
    const tensors = request.tensors(infos, limits);
    return { signatureName: request.signatureName, format: request.format, tensors: JSON.stringify(tensors) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function fast(body: string, infos: Record<string, TensorInfo__Output>) {
  try {
    const request = parsePredictBody(Buffer.from(body));
    const tensors = request.tensors(infos, limits);
    return { signatureName: request.signatureName, format: request.format, tensors: JSON.stringify(tensors) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe('the fast path for numeric instances', () => {
  it('reads a nested list of numbers into one Float32Array with the instances shape', () => {
    const parsed = parseNumericInstances(
      Buffer.from('{"signature_name": "s", "instances": [[[1], [2.5]], [[-3e2], [0.000125]]]}'),
    );
    expect(parsed?.signatureName).toBe('s');
    expect(parsed?.shape).toEqual([2, 2, 1]);
    expect(Array.from(parsed!.values)).toEqual(Array.from(new Float32Array([1, 2.5, -300, 0.000125])));
  });

  it('rounds every number exactly as JSON.parse followed by a float32 conversion', () => {
    const numbers = [
      '0.5137254901960784',
      '0.12345678901234567890',
      '1e-30',
      '3.4028234663852886e38',
      '-0',
      '123456789012345678',
      '7.0e+3',
      '0.1',
      '1E5',
      '4.9e-324',
    ];
    const random = seededRandom(20);
    for (let i = 0; i < 200; i++) numbers.push(String(random() * 10 ** Math.floor(random() * 20 - 10)));
    const parsed = parseNumericInstances(Buffer.from(`{"instances": [${numbers.join(', ')}]}`));
    expect(Array.from(parsed!.values)).toEqual(
      Array.from(new Float32Array(numbers.map((text) => JSON.parse(text) as number))),
    );
  });

  it('rounds numbers longer than a double holds, even next to a float32 rounding boundary', () => {
    const numbers: string[] = [];
    const random = seededRandom(2000);
    for (let i = 0; i < 2000; i++) {
      const value = random() * 10 ** Math.floor(random() * 12 - 8);
      const below = Math.fround(value);
      const above = new Float32Array(
        new Uint32Array([new Uint32Array(new Float32Array([below]).buffer)[0]! + 1]).buffer,
      )[0]!;
      const midpoint = (below + above) / 2;
      for (const digits of [17, 18, 20, 21]) numbers.push(value.toPrecision(digits), midpoint.toPrecision(digits));
      numbers.push(midpoint.toExponential(19).replace(/e-?\d+$/, (e) => `e${Number(e.slice(1))}`));
    }
    const parsed = parseNumericInstances(Buffer.from(`{"instances": [${numbers.join(', ')}]}`));
    expect(Array.from(parsed!.values)).toEqual(
      Array.from(new Float32Array(numbers.map((text) => JSON.parse(text) as number))),
    );
  });

  it('reads fraction digits of every length at every alignment, four at a time or one by one', () => {
    for (let shift = 0; shift < 4; shift++) {
      const numbers: string[] = [];
      for (let length = 1; length <= 30; length++) {
        const digits = Array.from({ length }, (_, i) => String((i * 7 + length + shift) % 10)).join('');
        numbers.push(`0.${digits}`, `-${length % 10}.${digits}`, `${length}.${digits}e-${length % 5}`);
      }
      const parsed = parseNumericInstances(Buffer.from(`{"instances": [${' '.repeat(shift)}${numbers.join(',')}]}`));
      expect(Array.from(parsed!.values)).toEqual(
        Array.from(new Float32Array(numbers.map((text) => JSON.parse(text) as number))),
      );
    }
    // A number that ends the body mid-word, and non-digit bytes right after a digit run.
    expect(parseNumericInstances(Buffer.from('{"instances": [0.123456'))).toBeUndefined();
    for (const after of [':', '/', '`', 'p', '\u00b9'])
      expect(parseNumericInstances(Buffer.from(`{"instances": [0.12345${after}6]}`))).toBeUndefined();
  });

  it.each([
    '{"instances": [[1, 2], [3]]}',
    '{"instances": [[1, 2], 3]}',
    '{"instances": [1, [2]]}',
    '{"instances": []}',
    '{"instances": [[]]}',
    '{"instances": [[1, 2]], "instances": [[3, 4]]}',
    '{"instances": [[1, 2]], "inputs": [[3, 4]]}',
    '{"instances": [[1, 01]]}',
    '{"instances": [[1, .5]]}',
    '{"instances": [[1, 2.]]}',
    '{"instances": [[1, 1e400]]}',
    '{"instances": [[1, true]]}',
    '{"instances": [{"image": [1, 2]}]}',
    '{"signature_name": "\\u0073", "instances": [[1, 2]]}',
    '{"signature_name": 7, "instances": [[1, 2]]}',
    '{"instances": [[1, 2]]} x',
    '{"instances": [[1, 2]],}',
    `{"instances": ${'['.repeat(40)}1${']'.repeat(40)}}`,
  ])('leaves %s to the general parser', (body) => {
    expect(parseNumericInstances(Buffer.from(body))).toBeUndefined();
    expect(fast(body, image)).toEqual(general(body, image));
  });

  it.each([
    '{"instances": [[1, 2], [3, 4.5]]}',
    ' {\n"signature_name" : "serving_default" ,\t"instances":[[1,2]]\r\n} ',
    '{"instances": [[1, 2, 3]]}',
    '{"instances": [1.5, 2]}',
    '{"instances": [[1, 2]]}',
  ])('answers %s exactly as the general parser does', (body) => {
    expect(fast(body, image)).toEqual(general(body, image));
    expect(fast(body, int64)).toEqual(general(body, int64));
  });
});
