import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../../../src/serving/servable/host-tensor.ts';
import {
  checkedElementCount,
  rawBytes,
  tensorFromRaw,
  tensorFromValues,
  tfDtype,
  v2Datatype,
} from '../../../../src/serving/servers/v2/datatypes.ts';

const values = (tensor: HostTensor) => Array.from(tensor.values as ArrayLike<unknown>);

describe('Open Inference Protocol datatypes', () => {
  it('names TensorFlow dtypes as the protocol does, both ways', () => {
    expect(
      (['DT_FLOAT', 'DT_DOUBLE', 'DT_INT64', 'DT_INT32', 'DT_UINT8', 'DT_BOOL', 'DT_STRING', 'DT_HALF'] as const).map(
        (dtype) => v2Datatype(dtype),
      ),
    ).toEqual(['FP32', 'FP64', 'INT64', 'INT32', 'UINT8', 'BOOL', 'BYTES', 'FP16']);
    expect(tfDtype('FP32')).toBe('DT_FLOAT');
    expect(tfDtype('FLOAT')).toBeUndefined();
  });

  it('reads the raw layout by hand-written bytes: little-endian, BOOL one byte, BYTES length-prefixed', () => {
    const int64 = Buffer.alloc(16);
    int64.writeBigInt64LE(-2n, 0);
    int64.writeBigInt64LE(7n, 8);
    expect(values(tensorFromRaw('x', 'INT64', [2], int64))).toEqual([-2, 7]);
    expect(values(tensorFromRaw('x', 'BOOL', [3], Buffer.from([1, 0, 1])))).toEqual([1, 0, 1]);
    const fp64 = Buffer.alloc(8);
    fp64.writeDoubleLE(0.1);
    expect(values(tensorFromRaw('x', 'FP64', [1], fp64))).toEqual([0.1]);
    const bytes = Buffer.concat([Buffer.from([2, 0, 0, 0]), Buffer.from('hi'), Buffer.from([0, 0, 0, 0])]);
    expect(tensorFromRaw('x', 'BYTES', [2], bytes).values).toEqual(['hi', '']);
    // An odd offset inside a larger buffer, as a binary REST body gives.
    const fp32 = Buffer.alloc(9);
    fp32.writeFloatLE(1.5, 1);
    fp32.writeFloatLE(-3, 5);
    expect(values(tensorFromRaw('x', 'FP32', [2], fp32.subarray(1)))).toEqual([1.5, -3]);
  });

  it('writes the raw layout the same way it reads it', () => {
    const tensors: HostTensor[] = [
      { dtype: 'DT_FLOAT', shape: [2], values: Float32Array.of(0.25, -1) },
      { dtype: 'DT_INT64', shape: [2], values: [5, -6] },
      { dtype: 'DT_INT32', shape: [1], values: Int32Array.of(-9) },
      { dtype: 'DT_BOOL', shape: [2], values: Uint8Array.of(0, 1) },
      { dtype: 'DT_STRING', shape: [2], values: ['a', 'bcd'] },
    ];
    for (const tensor of tensors) {
      const datatype = v2Datatype(tensor.dtype);
      expect(values(tensorFromRaw('x', datatype, tensor.shape, rawBytes(tensor)))).toEqual(
        Array.from(tensor.values as ArrayLike<unknown>),
      );
    }
    expect(rawBytes({ dtype: 'DT_STRING', shape: [1], values: ['ab'] })).toEqual(Buffer.from([2, 0, 0, 0, 97, 98]));
  });

  it('checks a shape and the bytes it needs before decoding', () => {
    expect(checkedElementCount('x', [2, 3])).toBe(6);
    expect(() => checkedElementCount('x', [2, -1])).toThrow(
      'input x: shape [2,-1] has a dimension that is not a non-negative integer',
    );
    expect(() => checkedElementCount('x', [1.5])).toThrow(/not a non-negative integer/);
    expect(() => checkedElementCount('x', [2 ** 30, 2 ** 30])).toThrow(
      'input x: shape [1073741824,1073741824] holds too many elements',
    );
    expect(() => tensorFromRaw('x', 'FP32', [2 ** 40], Buffer.alloc(8))).toThrow(
      'input x: 8 bytes of raw data, shape [1099511627776] of FP32 needs 4398046511104',
    );
    expect(() => tensorFromRaw('x', 'BYTES', [2 ** 40], Buffer.from([9, 0, 0, 0]))).toThrow(
      'input x: raw BYTES element 0 runs past the data',
    );
    expect(() => tensorFromRaw('x', 'BYTES', [1], Buffer.from([0, 0, 0, 0, 1]))).toThrow(
      'input x: 1 bytes of raw BYTES data after the last element',
    );
  });

  it('rejects integers the engine cannot hold rather than wrapping them', () => {
    expect(() => tensorFromValues('x', 'INT64', [1], [2 ** 40])).toThrow(
      "input x: value 1099511627776 at index 0 does not fit the engine's 32-bit integers",
    );
    expect(values(tensorFromValues('x', 'INT64', [2], [-(2 ** 31), 2 ** 31 - 1]))).toEqual([-(2 ** 31), 2 ** 31 - 1]);
  });
});
