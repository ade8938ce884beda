/**
 * The TF1 saver subgraph a SavedModel's `saver_def` points at. Loaders feed the variables prefix
 * (`…/variables/variables`) into `save/Const:0` and run `save/restore_all`, which restores
 * every variable from the tensor bundle by its name. A single-shard, unsharded V2 saver: what
 * TF's builder writes minus the shard-merging ops, and loaded the same way.
 *
 *   save/filename (Const) → save/Const (PlaceholderWithDefault, the filename tensor)
 *   save/SaveV2(prefix, tensor_names, shape_and_slices, values…) ← save/ReadVariableOp_k
 *   save/control_dependency = Identity(prefix, ^save/SaveV2)      (saver_def.save_tensor_name)
 *   save/RestoreV2(prefix, tensor_names, shape_and_slices) → save/Identity_k → save/AssignVariableOp_k
 *   save/restore_all = NoOp(^save/AssignVariableOp…)              (saver_def.restore_op_name)
 */
import type { SaverDef } from '../formats/proto/types.ts';
import { encodeTensorValues } from '../formats/tensorflow/tensor-proto.ts';
import { attr, type GraphBuilder } from './graph-builder.ts';
import type { GraphVariable } from './variables.ts';

/** Adds the saver for `variables`, whose VarHandleOp nodes are named after them. */
export function addSaverSubgraph(builder: GraphBuilder, variables: GraphVariable[]): SaverDef {
  const scope = builder.uniqueName('save');
  const filename = builder.add('Const', `${scope}/filename`, [], {
    dtype: attr.type('DT_STRING'),
    value: attr.tensor(encodeTensorValues({ dtype: 'DT_STRING', shape: [], values: ['model'] })),
  });
  const prefix = builder.add('PlaceholderWithDefault', `${scope}/Const`, [filename], {
    dtype: attr.type('DT_STRING'),
    shape: attr.shape([]),
  });
  const names = variables.map((v) => v.name);
  const dtypes = attr.types(variables.map((v) => v.dtype));
  const tensorNames = builder.stringConstant(`${scope}/SaveV2/tensor_names`, names, [names.length]);
  const slices = builder.stringConstant(
    `${scope}/SaveV2/shape_and_slices`,
    names.map(() => ''),
    [names.length],
  );
  const values = variables.map((v) =>
    builder.add('ReadVariableOp', `${scope}/ReadVariableOp`, [v.name], { dtype: attr.type(v.dtype) }),
  );
  const save = builder.add('SaveV2', `${scope}/SaveV2`, [prefix, tensorNames, slices, ...values], { dtypes });
  const saveTensor = builder.add('Identity', `${scope}/control_dependency`, [prefix, `^${save}`], {
    T: attr.type('DT_STRING'),
  });

  const restoreNames = builder.stringConstant(`${scope}/RestoreV2/tensor_names`, names, [names.length]);
  const restoreSlices = builder.stringConstant(
    `${scope}/RestoreV2/shape_and_slices`,
    names.map(() => ''),
    [names.length],
  );
  const restore = builder.add('RestoreV2', `${scope}/RestoreV2`, [prefix, restoreNames, restoreSlices], { dtypes });
  const assigns = variables.map((v, k) => {
    const restored = builder.add('Identity', `${scope}/Identity`, [k === 0 ? restore : `${restore}:${k}`], {
      T: attr.type(v.dtype),
    });
    return builder.add('AssignVariableOp', `${scope}/AssignVariableOp`, [v.name, restored], {
      dtype: attr.type(v.dtype),
    });
  });
  const restoreAll = builder.add(
    'NoOp',
    `${scope}/restore_all`,
    assigns.map((a) => `^${a}`),
  );
  return {
    filename_tensor_name: `${prefix}:0`,
    save_tensor_name: `${saveTensor}:0`,
    restore_op_name: restoreAll,
    max_to_keep: 5,
    sharded: false,
    keep_checkpoint_every_n_hours: 10000,
    version: 'V2',
  };
}
