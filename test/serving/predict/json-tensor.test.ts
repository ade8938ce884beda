import { describe, expect, it } from 'vitest';
import type { TensorInfo__Output } from '../../../src/formats/proto/types.ts';
import type { ServingError } from '../../../src/serving/serving-errors.ts';
import { formatDecimal, formatG } from '../../../src/serving/predict/decimal-format.ts';
import { parsePredictRequest } from '../../../src/serving/predict/json-request.ts';
import { renderPredictResponse } from '../../../src/serving/predict/json-response.ts';
import { defaultRequestLimits } from '../../../src/serving/servable/request-limits.ts';
import type { TensorMap } from '../../../src/serving/servable/host-tensor.ts';
import { seededRandom } from '../../../src/util/random.ts';

const limits = defaultRequestLimits();
const float = (x: number) => formatDecimal(Math.fround(x), 6, 9, Math.fround);
const image: Record<string, TensorInfo__Output> = {
  image: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: -1 }, { size: 2 }] } },
};
const two: Record<string, TensorInfo__Output> = { a: { dtype: 'DT_FLOAT' }, b: { dtype: 'DT_INT64' } };

function errorOf(run: () => unknown): ServingError {
  try {
    run();
  } catch (error) {
    return error as ServingError;
  }
  throw new Error('expected an error');
}

describe('TF Serving number formatting', () => {
  it('writes C %g', () => {
    expect(formatG(0.000030000001, 6)).toBe('3e-05');
    expect(formatG(9000000, 6)).toBe('9e+06');
    expect(formatG(123456, 6)).toBe('123456');
    expect(formatG(0.5, 6)).toBe('0.5');
    expect(formatG(-0.000123456789, 6)).toBe('-0.000123457');
    expect(formatG(0.0000123456789, 6)).toBe('1.23457e-05');
    expect(formatG(999999.5, 6)).toBe('1e+06');
    expect(formatG(0.99999999, 6)).toBe('1');
  });

  it("agrees with the C standard's definition of %g at every magnitude and precision", () => {
    // C11 7.21.6.1: with X the exponent style E would write, style f at precision P-1-X when
    // P > X >= -4, else style E; then trailing zeros go.
    const strip = (digits: string) => (digits.includes('.') ? digits.replace(/0+$/, '').replace(/\.$/, '') : digits);
    const reference = (value: number, precision: number) => {
      const [mantissa, exponentText] = value.toExponential(precision - 1).split('e') as [string, string];
      const exponent = Number(exponentText);
      if (precision > exponent && exponent >= -4) return strip(value.toFixed(precision - 1 - exponent));
      return `${strip(mantissa)}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
    };
    const random = seededRandom(20_000);
    for (let i = 0; i < 20_000; i++) {
      const value = Math.fround((random() - 0.3) * 10 ** Math.floor(random() * 24 - 12));
      if (value === 0) continue;
      for (const precision of [6, 9, 17]) expect(formatG(value, precision)).toBe(reference(value, precision));
    }
  });

  it('writes floats in their shortest round-tripping form with ".0" on whole numbers, as WriteDecimal does', () => {
    expect(float(0.2)).toBe('0.2');
    expect(float(1)).toBe('1.0');
    expect(float(0)).toBe('0.0');
    expect(float(1 / 3)).toBe('0.333333343');
    expect(float(9000000)).toBe('9e+06');
    expect(float(3e-5)).toBe('3e-05');
    expect(Math.fround(Number(float(0.7310586)))).toBe(Math.fround(0.7310586));
  });
});

describe('parsing predict requests', () => {
  it('reads the row format into one batched tensor per input', () => {
    const request = parsePredictRequest('{"signature_name": "s", "instances": [[1, 2], [3, 4.5]]}');
    expect(request).toMatchObject({ signatureName: 's', format: 'row' });
    const tensors = request.tensors(image, limits);
    expect(tensors.image!.shape).toEqual([2, 2]);
    expect(Array.from(tensors.image!.values as Float32Array)).toEqual([1, 2, 3, 4.5]);
  });

  it('reads row instances keyed by input name', () => {
    const tensors = parsePredictRequest('{"instances": [{"a": [1], "b": 2}, {"a": [3], "b": 4}]}').tensors(two, limits);
    expect(tensors.a!.shape).toEqual([2, 1]);
    expect(tensors.b).toMatchObject({ dtype: 'DT_INT64', shape: [2] });
  });

  it('reads the columnar format, plain or keyed by input name', () => {
    expect(parsePredictRequest('{"inputs": [[1, 2]]}').tensors(image, limits).image!.shape).toEqual([1, 2]);
    const tensors = parsePredictRequest('{"inputs": {"a": [[1], [2]], "b": [3, 4]}}').tensors(two, limits);
    expect(tensors.b!.shape).toEqual([2]);
  });

  it.each([
    ['', 'JSON Parse error: The document is empty'],
    ['[1]', 'JSON Value: [1] Is not object'],
    ['{"signature_name": 1, "inputs": []}', "'signature_name' key must be a string value."],
    ['{"instances": [], "inputs": []}', "expecting only one of 'inputs' or 'instances' keys to exist"],
    ['{"instances": {}}', "Excepting 'instances' to be an list/array"],
    ['{"instances": []}', "No values in 'instances' array"],
    ['{"data": []}', "Missing 'inputs' or 'instances' key"],
  ])('rejects the body %j as INVALID_ARGUMENT', (body, message) => {
    const error = errorOf(() => parsePredictRequest(body));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain(message);
  });

  it.each([
    [
      '{"instances": [[1, 2], [3]]}',
      "Failed to process element: 1 of 'instances' list. Error: Expecting tensor size: 2 but got: 1",
    ],
    ['{"instances": [[1, "x"]]}', 'JSON Value: "x" Type: String is not of expected type: float'],
    ['{"instances": [[1, [2]]]}', 'Encountered list at unexpected level: 1 expected < 1'],
    ['{"instances": [{"image": [1, 2]}, [3, 4]]}', 'Expecting object but got list at item 1 of input list'],
    ['{"instances": [{"x": [1, 2]}]}', 'JSON object: does not have named input: x'],
    ['{"inputs": {"other": [1]}}', "Missing named input: image in 'inputs' object."],
    ['{"inputs": [[1, 2], [3]]}', 'Encountered list at unexpected size: 1 at level: 1 expected size: 2'],
  ])('rejects tensors that do not fit the signature: %s', (body, message) => {
    const error = errorOf(() => parsePredictRequest(body).tensors(image, limits));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain(message);
  });

  it('asks for objects when the signature has several inputs', () => {
    expect(errorOf(() => parsePredictRequest('{"instances": [[1]]}').tensors(two, limits)).message).toContain(
      'expecting list of objects',
    );
    expect(errorOf(() => parsePredictRequest('{"inputs": [1]}').tensors(two, limits)).message).toContain(
      'expecting an object',
    );
  });

  it('rejects a float where an int64 is declared', () => {
    expect(
      errorOf(() => parsePredictRequest('{"instances": [{"a": [1], "b": 1.5}]}').tensors(two, limits)).message,
    ).toContain('is not of expected type: int64');
  });
});

describe('rendering predict responses', () => {
  const outputs: TensorMap = {
    scores: { dtype: 'DT_FLOAT', shape: [2, 2], values: Float32Array.from([0.25, 1, 0.2, 0]) },
    classes: { dtype: 'DT_INT64', shape: [2], values: [1, 0] },
  };

  it('answers rows as one object per instance when there are several outputs', () => {
    expect(JSON.parse(renderPredictResponse(outputs, 'row'))).toEqual({
      predictions: [
        { classes: 1, scores: [0.25, 1] },
        { classes: 0, scores: [0.2, 0] },
      ],
    });
    expect(renderPredictResponse(outputs, 'row')).toContain('[0.25, 1.0]');
  });

  it('answers rows as plain values when there is one output, and columns as whole tensors', () => {
    expect(JSON.parse(renderPredictResponse({ classes: outputs.classes }, 'row'))).toEqual({ predictions: [1, 0] });
    expect(JSON.parse(renderPredictResponse(outputs, 'columnar'))).toEqual({
      outputs: {
        classes: [1, 0],
        scores: [
          [0.25, 1],
          [0.2, 0],
        ],
      },
    });
    expect(JSON.parse(renderPredictResponse({ classes: outputs.classes }, 'columnar'))).toEqual({ outputs: [1, 0] });
  });
});
