/**
 * Typed helpers over GraphBuilder for the ops the training graph uses. Every attr an op defines
 * without a default is set here (checked against TF 2.21's op registry), so the graph loads on
 * any consumer without default-attr filling. Tensors are named by node (`node` = output 0).
 */
import { attr, type GraphBuilder } from '../../graph/graph-builder.ts';
import type { DataTypeName } from '../../formats/proto/types.ts';

const FLOAT = attr.type('DT_FLOAT');

export type Padding = 'VALID' | 'SAME';

export class FloatOps {
  constructor(readonly b: GraphBuilder) {}

  /** An int32 vector or scalar constant (axes, shapes). */
  ints(name: string, values: number[] | number): string {
    return typeof values === 'number'
      ? this.b.constant(name, values, [], 'DT_INT32')
      : this.b.constant(name, values, [values.length], 'DT_INT32');
  }

  scalar(name: string, value: number): string {
    return this.b.constant(name, value, []);
  }

  placeholder(name: string, dtype: DataTypeName, shape: number[]): string {
    return this.b.add('Placeholder', name, [], { dtype: attr.type(dtype), shape: attr.shape(shape) });
  }

  unary(op: 'Log' | 'Neg' | 'Identity', name: string, x: string, control: string[] = []): string {
    return this.b.add(op, name, [x, ...control.map((c) => `^${c}`)], { T: FLOAT });
  }

  binary(
    op: 'Sub' | 'Mul' | 'RealDiv' | 'DivNoNan' | 'Pow' | 'ReluGrad' | 'SigmoidGrad',
    name: string,
    x: string,
    y: string,
  ): string {
    return this.b.add(op, name, [x, y], { T: FLOAT });
  }

  conv2dBackpropInput(name: string, inputSizes: string, filter: string, outBackprop: string, padding: Padding): string {
    return this.b.add('Conv2DBackpropInput', name, [inputSizes, filter, outBackprop], convAttrs(padding));
  }

  conv2dBackpropFilter(
    name: string,
    input: string,
    filterSizes: string,
    outBackprop: string,
    padding: Padding,
  ): string {
    return this.b.add('Conv2DBackpropFilter', name, [input, filterSizes, outBackprop], convAttrs(padding));
  }

  biasAddGrad(name: string, outBackprop: string): string {
    return this.b.add('BiasAddGrad', name, [outBackprop], { T: FLOAT, data_format: attr.string('NHWC') });
  }

  maxPoolGrad(name: string, origInput: string, origOutput: string, grad: string, pool: [number, number]): string {
    return this.b.add('MaxPoolGrad', name, [origInput, origOutput, grad], poolAttrs(pool));
  }

  matMul(name: string, a: string, b: string, transpose: { a?: boolean; b?: boolean } = {}): string {
    return this.b.add('MatMul', name, [a, b], {
      T: FLOAT,
      transpose_a: attr.bool(transpose.a ?? false),
      transpose_b: attr.bool(transpose.b ?? false),
    });
  }

  reshape(name: string, tensor: string, shape: string): string {
    return this.b.add('Reshape', name, [tensor, shape], { T: FLOAT, Tshape: attr.type('DT_INT32') });
  }

  shape(name: string, input: string): string {
    return this.b.add('Shape', name, [input], { T: FLOAT, out_type: attr.type('DT_INT32') });
  }

  reduce(op: 'Sum' | 'Mean', name: string, input: string, axes: string, keepDims: boolean): string {
    return this.b.add(op, name, [input, axes], {
      T: FLOAT,
      Tidx: attr.type('DT_INT32'),
      keep_dims: attr.bool(keepDims),
    });
  }

  cast(name: string, x: string, from: DataTypeName, to: DataTypeName): string {
    return this.b.add('Cast', name, [x], { SrcT: attr.type(from), DstT: attr.type(to), Truncate: attr.bool(false) });
  }

  clip(name: string, t: string, min: string, max: string): string {
    return this.b.add('ClipByValue', name, [t, min, max], { T: FLOAT });
  }

  compare(op: 'GreaterEqual' | 'LessEqual', name: string, x: string, y: string): string {
    return this.b.add(op, name, [x, y], { T: FLOAT });
  }

  /** Row-wise arg-max as int32 class indices. */
  argMax(name: string, input: string, axis: string): string {
    return this.b.add('ArgMax', name, [input, axis], {
      T: FLOAT,
      Tidx: attr.type('DT_INT32'),
      output_type: attr.type('DT_INT32'),
    });
  }

  noOp(name: string, control: string[]): string {
    return this.b.add(
      'NoOp',
      name,
      control.map((c) => `^${c}`),
    );
  }
}

function convAttrs(padding: Padding) {
  return {
    T: FLOAT,
    strides: attr.ints([1, 1, 1, 1]),
    padding: attr.string(padding),
    data_format: attr.string('NHWC'),
    dilations: attr.ints([1, 1, 1, 1]),
  };
}

function poolAttrs(pool: [number, number]) {
  return {
    T: FLOAT,
    ksize: attr.ints([1, pool[0], pool[1], 1]),
    strides: attr.ints([1, pool[0], pool[1], 1]),
    padding: attr.string('VALID'),
    data_format: attr.string('NHWC'),
  };
}
