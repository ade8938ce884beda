import { describe, expect, it } from 'vitest';
import {
  checkDeclaredShape,
  checkRequestRows,
  defaultRequestLimits,
  MAX_INPUT_VALUES,
  MAX_RANK,
  RowAdmission,
} from '../../../src/serving/servable/request-limits.ts';
import { requestLimitsFrom } from '../../../src/serving/servers/serve-settings.ts';
import { DEFAULT_BATCHING } from '../../../src/serving/batching/batcher.ts';

const settings = { modelName: 'mnist', modelBasePath: '/models/mnist', enableBatching: false };

describe('declared shapes are checked before anything is allocated', () => {
  it.each([
    [[-1, 2], 'dimension -1 of shape [-1,2] is not a non-negative integer'],
    [[1.5], 'dimension 1.5 of shape [1.5] is not a non-negative integer'],
    [[Number.NaN], 'dimension NaN of shape [NaN] is not a non-negative integer'],
    [[2 ** 53], 'is not a non-negative integer'],
    [[MAX_INPUT_VALUES + 1], `holds more than ${MAX_INPUT_VALUES} values`],
    [[4096, 4097], `holds more than ${MAX_INPUT_VALUES} values`],
    [[0, MAX_INPUT_VALUES * 2], `holds more than ${MAX_INPUT_VALUES} values`],
    [Array(MAX_RANK + 1).fill(1), `rank ${MAX_RANK + 1} is over TensorFlow's limit of ${MAX_RANK} dimensions`],
  ])('refuses %j', (shape, message) => {
    expect(() => checkDeclaredShape('x', shape)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('input x: ') }),
    );
    expect(() => checkDeclaredShape('x', shape)).toThrow(message);
  });

  it('accepts shapes up to the value limit, and empty ones', () => {
    expect(() => checkDeclaredShape('x', [4096, 4096])).not.toThrow();
    expect(() => checkDeclaredShape('x', [0, 28, 28, 1])).not.toThrow();
    expect(() => checkDeclaredShape('x', [])).not.toThrow();
  });

  it('refuses more rows than a request may carry', () => {
    expect(() => checkRequestRows('image', 1025, defaultRequestLimits())).toThrow(
      'input image: 1025 rows exceed the limit of 1024 rows per request',
    );
    expect(() => checkRequestRows('image', 1024, defaultRequestLimits())).not.toThrow();
  });
});

describe('admission of rows in flight', () => {
  it('refuses past the bound at once, and takes rows back exactly once', () => {
    const admission = new RowAdmission(10);
    const release = admission.admit(6);
    expect(() => admission.admit(5)).toThrow(
      expect.objectContaining({
        code: 'RESOURCE_EXHAUSTED',
        message: expect.stringContaining('6 of 10 in flight, this request 5'),
      }),
    );
    release();
    release();
    expect(admission.rows).toBe(0);
    admission.admit(10);
    expect(admission.rows).toBe(10);
  });
});

describe("serve's request limits", () => {
  it(
    'default to 1024 rows per request without batching and max_batch_size with it, ' + 'eight such requests in flight',
    () => {
      expect(requestLimitsFrom(settings, undefined)).toEqual({ maxRequestRows: 1024, maxInFlightRows: 8192 });
      expect(
        requestLimitsFrom({ ...settings, enableBatching: true }, { ...DEFAULT_BATCHING, maxBatchSize: 32 }),
      ).toEqual({ maxRequestRows: 32, maxInFlightRows: 256 });
      expect(requestLimitsFrom({ ...settings, maxRequestRows: 10, maxInFlightRows: 15 }, undefined)).toEqual({
        maxRequestRows: 10,
        maxInFlightRows: 15,
      });
    },
  );

  it('refuse a row limit the batcher would refuse, and an in-flight bound no request fits', () => {
    expect(() => requestLimitsFrom({ ...settings, maxRequestRows: 2000 }, DEFAULT_BATCHING)).toThrow(
      'maxRequestRows=2000 is larger than max_batch_size 1024',
    );
    expect(() => requestLimitsFrom({ ...settings, maxInFlightRows: 100 }, undefined)).toThrow(
      'maxInFlightRows=100 is smaller than the 1024 rows one request may carry',
    );
  });
});
