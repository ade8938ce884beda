import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../../src/formats/proto/index.ts';
import type { TensorProto } from '../../../src/formats/proto/types.ts';
import type { DecodedTensorProto } from '../../../src/formats/tensorflow/tensor-proto.ts';
import { shapeDims, shapeProto } from '../../../src/formats/tensorflow/shape.ts';
import {
  decodeTensorProto,
  encodeTensorContent,
  encodeTensorValues,
  TensorProtoError,
  type HostTensor,
} from '../../../src/formats/tensorflow/tensor-proto.ts';

/** Through the wire and back, as a SavedModel constant or a gRPC message travels. */
const viaWire = (proto: TensorProto): DecodedTensorProto =>
  decodeMessage<DecodedTensorProto>('tensorflow.TensorProto', encodeMessage('tensorflow.TensorProto', proto));

const tensors: HostTensor[] = [
  { dtype: 'DT_FLOAT', shape: [2, 3], values: Float32Array.from([0, -1.5, 0.25, 3.4028234663852886e38, 1e-45, 7]) },
  { dtype: 'DT_DOUBLE', shape: [2], values: Float64Array.from([Math.PI, -1e300]) },
  { dtype: 'DT_INT32', shape: [3], values: Int32Array.from([0, -2147483648, 2147483647]) },
  // Host tensors hold integers as int32 (the engine's integer type), so int64 values stay in its range.
  { dtype: 'DT_INT64', shape: [2, 1], values: [2147483647, -9] },
  { dtype: 'DT_BOOL', shape: [3], values: Uint8Array.from([1, 0, 1]) },
  { dtype: 'DT_INT32', shape: [], values: Int32Array.from([42]) },
  { dtype: 'DT_FLOAT', shape: [0, 10], values: new Float32Array(0) },
];

describe('shape helpers', () => {
  it('turns dimension lists into TensorShapeProtos and back, -1 and unknown rank included', () => {
    for (const dims of [[], [3], [-1, 28, 28, 1], [0, 10]])
      expect(shapeDims(viaWire({ tensor_shape: shapeProto(dims) }).tensor_shape)).toEqual(dims);
    expect(shapeProto(null)).toEqual({ dim: [], unknown_rank: true });
    expect(shapeDims(shapeProto(null))).toBeNull();
    expect(shapeDims(undefined)).toBeNull();
  });

  it('reads int64 sizes written as strings (protobuf JSON form) as numbers', () => {
    expect(shapeDims({ dim: [{ size: '4' as unknown as number }, {}] })).toEqual([4, 0]);
  });
});

describe('TensorProto codec', () => {
  it.each(tensors.map((t) => [`${t.dtype} ${JSON.stringify(t.shape)}`, t] as const))(
    'round-trips %s through tensor_content',
    (_, tensor) => {
      const proto = viaWire(encodeTensorContent(tensor));
      expect(proto.tensor_content?.length ?? 0).toBe(
        tensor.values.length *
          { DT_FLOAT: 4, DT_DOUBLE: 8, DT_INT32: 4, DT_INT64: 8, DT_BOOL: 1 }[tensor.dtype as 'DT_FLOAT']!,
      );
      const decoded = decodeTensorProto(proto, 'x');
      expect(decoded.dtype).toBe(tensor.dtype);
      expect(decoded.shape).toEqual(tensor.shape);
      expect(Array.from(decoded.values as ArrayLike<number>)).toEqual(Array.from(tensor.values as ArrayLike<number>));
    },
  );

  it.each(tensors.map((t) => [`${t.dtype} ${JSON.stringify(t.shape)}`, t] as const))(
    'round-trips %s through the typed repeated field',
    (_, tensor) => {
      const decoded = decodeTensorProto(viaWire(encodeTensorValues(tensor)), 'x');
      expect(decoded.dtype).toBe(tensor.dtype);
      expect(decoded.shape).toEqual(tensor.shape);
      expect(Array.from(decoded.values as ArrayLike<number>)).toEqual(Array.from(tensor.values as ArrayLike<number>));
    },
  );

  it('writes tensor_content little-endian, as TensorFlow does', () => {
    const proto = encodeTensorContent({ dtype: 'DT_INT32', shape: [2], values: [1, 258] });
    expect(Array.from(proto.tensor_content as Uint8Array)).toEqual([1, 0, 0, 0, 2, 1, 0, 0]);
  });

  it('keeps strings in string_val (TensorFlow has no raw form for them), as UTF-8', () => {
    const tensor: HostTensor = { dtype: 'DT_STRING', shape: [2], values: ['model', 'ünï'] };
    const proto = viaWire(encodeTensorContent(tensor));
    expect(proto.tensor_content?.length ?? 0).toBe(0);
    expect(proto.string_val!.map((bytes) => bytes.toString('utf8'))).toEqual(['model', 'ünï']);
    expect(decodeTensorProto(proto, 'x')).toEqual(tensor);
  });

  it('broadcasts one listed value over the declared shape, and an absent shape is a scalar', () => {
    expect(
      decodeTensorProto({ dtype: 'DT_FLOAT', tensor_shape: shapeProto([2, 2]), float_val: [0.5] }, 'x').values,
    ).toEqual(Float32Array.from([0.5, 0.5, 0.5, 0.5]));
    expect(decodeTensorProto({ dtype: 'DT_INT64', int64_val: [7] }, 'x')).toEqual({
      dtype: 'DT_INT64',
      shape: [],
      values: Int32Array.from([7]),
    });
  });

  it('names the tensor when tensor_content or the value list does not fit the shape', () => {
    const bytes = { dtype: 'DT_FLOAT', tensor_shape: shapeProto([3]), tensor_content: Buffer.alloc(8) } as const;
    expect(() => decodeTensorProto(bytes, 'input image')).toThrow(
      'input image: tensor_content holds 8 bytes, shape [3] needs 12',
    );
    expect(() =>
      decodeTensorProto({ dtype: 'DT_INT32', tensor_shape: shapeProto([3]), int_val: [1, 2] }, 'input k'),
    ).toThrow('input k: 2 values for shape [3]');
  });

  it('refuses raw bytes of a dtype it cannot read as unsupported, not as malformed', () => {
    const error = (() => {
      try {
        decodeTensorProto(
          { dtype: 'DT_HALF', tensor_shape: shapeProto([1]), tensor_content: Buffer.alloc(2) },
          'input h',
        );
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(TensorProtoError);
    expect((error as TensorProtoError).unsupported).toBe(true);
    expect((error as Error).message).toBe('input h: dtype DT_HALF is not supported');
  });
});
