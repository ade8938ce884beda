import { describe, expect, it } from 'vitest';
import type { DataTypeName } from '../../src/formats/proto/types.ts';
import { GraphBuilder } from '../../src/graph/graph-builder.ts';
import { addSaverSubgraph } from '../../src/graph/saver.ts';
import { addResourceVariable } from '../../src/graph/variables.ts';

const decode = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('utf8');

describe('addSaverSubgraph', () => {
  const variables: { name: string; dtype: DataTypeName; shape: number[] }[] = [
    { name: 'a/kernel', dtype: 'DT_FLOAT', shape: [2, 3] },
    { name: 'optimizer/iter', dtype: 'DT_INT64', shape: [] },
  ];
  const builder = new GraphBuilder();
  for (const v of variables) addResourceVariable(builder, v);
  const saverDef = addSaverSubgraph(builder, variables);
  const nodes = new Map(builder.build().node!.map((n) => [n.name, n]));

  it('returns a V2 SaverDef naming the filename tensor, the save tensor and the restore op', () => {
    expect(saverDef).toMatchObject({
      filename_tensor_name: 'save/Const:0',
      save_tensor_name: 'save/control_dependency:0',
      restore_op_name: 'save/restore_all',
      sharded: false,
      version: 'V2',
    });
  });

  it('restores each variable by its checkpoint name, output k into variable k', () => {
    const restore = nodes.get('save/RestoreV2')!;
    expect(restore.input).toEqual(['save/Const', 'save/RestoreV2/tensor_names', 'save/RestoreV2/shape_and_slices']);
    expect(restore.attr!.dtypes).toEqual({ list: { type: ['DT_FLOAT', 'DT_INT64'] } });
    expect(nodes.get('save/RestoreV2/tensor_names')!.attr!.value!.tensor!.string_val!.map(decode)).toEqual([
      'a/kernel',
      'optimizer/iter',
    ]);
    expect(nodes.get('save/Identity')!.input).toEqual(['save/RestoreV2']);
    expect(nodes.get('save/Identity_1')!.input).toEqual(['save/RestoreV2:1']);
    expect(nodes.get('save/AssignVariableOp')!.input).toEqual(['a/kernel', 'save/Identity']);
    expect(nodes.get('save/AssignVariableOp_1')).toMatchObject({
      input: ['optimizer/iter', 'save/Identity_1'],
      attr: { dtype: { type: 'DT_INT64' } },
    });
    expect(nodes.get('save/restore_all')).toMatchObject({
      op: 'NoOp',
      input: ['^save/AssignVariableOp', '^save/AssignVariableOp_1'],
    });
  });

  it('saves the variables it reads, in order, and makes the save tensor depend on SaveV2', () => {
    expect(nodes.get('save/Const')).toMatchObject({ op: 'PlaceholderWithDefault', input: ['save/filename'] });
    expect(nodes.get('save/SaveV2')!.input).toEqual([
      'save/Const',
      'save/SaveV2/tensor_names',
      'save/SaveV2/shape_and_slices',
      'save/ReadVariableOp',
      'save/ReadVariableOp_1',
    ]);
    expect(nodes.get('save/ReadVariableOp_1')!.input).toEqual(['optimizer/iter']);
    expect(nodes.get('save/control_dependency')!.input).toEqual(['save/Const', '^save/SaveV2']);
  });

  it('takes the next free scope when save/ is taken, as tf.train.Saver does', () => {
    const again = addSaverSubgraph(builder, variables);
    expect(again.restore_op_name).toBe('save_1/restore_all');
    expect(again.filename_tensor_name).toBe('save_1/Const:0');
  });
});
