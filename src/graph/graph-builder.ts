/**
 * Builds a TensorFlow GraphDef node by node. Node names are unique (a taken name gets `_1`,
 * `_2`, … as TensorFlow's own name scopes do), inputs are `node`, `node:k` or `^node` (control
 * inputs are kept last, as TensorFlow requires), and attrs are written with the helpers below.
 */
import type { AttrValue, DataTypeName, GraphDef, NodeDef, TensorProto } from '../formats/proto/types.ts';
import { GRAPH_PRODUCER_VERSION } from '../formats/tensorflow/constants.ts';
import { shapeProto } from '../formats/tensorflow/shape.ts';
import { encodeTensorContent, encodeTensorValues } from '../formats/tensorflow/tensor-proto.ts';

export const attr = {
  type: (type: DataTypeName): AttrValue => ({ type }),
  types: (types: DataTypeName[]): AttrValue => ({ list: { type: types } }),
  int: (i: number): AttrValue => ({ i }),
  ints: (values: number[]): AttrValue => ({ list: { i: values } }),
  float: (f: number): AttrValue => ({ f }),
  bool: (b: boolean): AttrValue => ({ b }),
  string: (s: string): AttrValue => ({ s: new TextEncoder().encode(s) }),
  shape: (dims: number[] | null): AttrValue => ({ shape: shapeProto(dims) }),
  tensor: (tensor: TensorProto): AttrValue => ({ tensor }),
};

export class GraphBuilder {
  private readonly nodes: NodeDef[] = [];
  private readonly taken = new Set<string>();

  /** Adds a node and returns its (possibly uniquified) name; output k is `${name}:${k}`. */
  add(op: string, name: string, inputs: string[] = [], attrs: Record<string, AttrValue> = {}): string {
    const unique = this.uniqueName(name);
    const data = inputs.filter((i) => !i.startsWith('^'));
    const control = inputs.filter((i) => i.startsWith('^'));
    this.nodes.push({ name: unique, op, input: [...data, ...control], attr: attrs });
    return unique;
  }

  has(name: string): boolean {
    return this.taken.has(name);
  }

  /** Keras/TF scope naming: `scope`, then `scope_1`, `scope_2`, … */
  uniqueName(name: string): string {
    if (!this.taken.has(name)) {
      this.taken.add(name);
      return name;
    }
    for (let k = 1; ; k += 1) {
      const candidate = `${name}_${k}`;
      if (!this.taken.has(candidate)) {
        this.taken.add(candidate);
        return candidate;
      }
    }
  }

  /** A scalar or small constant from values (float32 unless stated), stored as tensor_content. */
  constant(name: string, values: ArrayLike<number> | number, dims: number[], dtype: DataTypeName = 'DT_FLOAT'): string {
    return this.add('Const', name, [], {
      dtype: attr.type(dtype),
      value: attr.tensor(
        encodeTensorContent({ dtype, shape: dims, values: typeof values === 'number' ? [values] : Array.from(values) }),
      ),
    });
  }

  /** A string constant (e.g. the saver's tensor names), stored as string_val. */
  stringConstant(name: string, values: string[], dims: number[]): string {
    return this.add('Const', name, [], {
      dtype: attr.type('DT_STRING'),
      value: attr.tensor(encodeTensorValues({ dtype: 'DT_STRING', shape: dims, values })),
    });
  }

  build(): GraphDef {
    return { node: this.nodes.map((n) => ({ ...n })), versions: { producer: GRAPH_PRODUCER_VERSION } };
  }
}
