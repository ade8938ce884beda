/**
 * Resource variables as TensorFlow 1.x graphs hold them: a `VarHandleOp` named after the
 * variable, an initializer subgraph (`X/Initializer/zeros` → `X/Assign`) and a snapshot read
 * (`X/Read/ReadVariableOp`). The `VariableDef`s in the `variables` collections point at those
 * nodes; TF2's `tf.saved_model.load` needs them to lift the graph's variables, while the C++
 * loader (TF Serving, tfjs-node) only runs the saver's restore op.
 */
import type { CollectionDef, DataTypeName } from '../formats/proto/types.ts';
import { encodeMessage } from '../formats/proto/index.ts';
import { encodeTensorValues } from '../formats/tensorflow/tensor-proto.ts';
import { attr, type GraphBuilder } from './graph-builder.ts';

export interface GraphVariable {
  /** Checkpoint key and VarHandleOp name, e.g. `conv2d/kernel`. */
  name: string;
  dtype: DataTypeName;
  shape: number[];
}

export interface VariableDef {
  variable_name: string;
  initial_value_name: string;
  initializer_name: string;
  snapshot_name: string;
  is_resource: boolean;
  trainable: boolean;
}

/** Adds the VarHandleOp and its init/snapshot nodes; the handle node is named `variable.name`. */
export function addResourceVariable(builder: GraphBuilder, variable: GraphVariable, trainable = true): VariableDef {
  const handle = builder.add('VarHandleOp', variable.name, [], {
    dtype: attr.type(variable.dtype),
    shape: attr.shape(variable.shape),
    shared_name: attr.string(variable.name),
    container: attr.string(''),
    allowed_devices: { list: {} },
  });
  if (handle !== variable.name) throw new Error(`variable node name ${variable.name} is already taken`);
  // One zero broadcast over the shape: TensorFlow fills a Const from a single listed value.
  const zeros = builder.add('Const', `${handle}/Initializer/zeros`, [], {
    dtype: attr.type(variable.dtype),
    value: attr.tensor(encodeTensorValues({ dtype: variable.dtype, shape: variable.shape, values: [0] })),
  });
  const assign = builder.add('AssignVariableOp', `${handle}/Assign`, [handle, zeros], {
    dtype: attr.type(variable.dtype),
  });
  const snapshot = readVariable(builder, handle, variable.dtype, `${handle}/Read`);
  return {
    variable_name: `${handle}:0`,
    initial_value_name: `${zeros}:0`,
    initializer_name: assign,
    snapshot_name: `${snapshot}:0`,
    is_resource: true,
    trainable,
  };
}

/** A `ReadVariableOp` named `${scope}/ReadVariableOp`, as Keras layers read their weights. */
export function readVariable(builder: GraphBuilder, handle: string, dtype: DataTypeName, scope: string): string {
  return builder.add('ReadVariableOp', `${scope}/ReadVariableOp`, [handle], { dtype: attr.type(dtype) });
}

/** The MetaGraphDef `variables` and `trainable_variables` collections for these definitions. */
export function variableCollections(definitions: VariableDef[]): Record<string, CollectionDef> {
  const encode = (defs: VariableDef[]) => ({
    bytes_list: { value: defs.map((d) => encodeMessage('tensorflow.VariableDef', d)) },
  });
  const collections: Record<string, CollectionDef> = { variables: encode(definitions) };
  const trainable = definitions.filter((d) => d.trainable);
  if (trainable.length > 0) collections.trainable_variables = encode(trainable);
  return collections;
}
