/**
 * The complete inference graph a SavedModel holds: the `conv2d_input` placeholder, resource
 * variables for every weight, the Keras-named forward ops, `ArgMax` for the classes and the
 * saver that restores the variables. What the notebook's TF1 `SavedModelBuilder` wrote.
 */
import type { CollectionDef, GraphDef, SaverDef } from '../formats/proto/types.ts';
import { variableSpecs, type ModelSpec } from '../model/spec.ts';
import { attr, GraphBuilder } from './graph-builder.ts';
import { addArgMax, addInferenceGraph } from './inference-graph.ts';
import { addSaverSubgraph } from './saver.ts';
import { addResourceVariable, readVariable, variableCollections, type GraphVariable } from './variables.ts';

export interface ServingGraph {
  graphDef: GraphDef;
  saverDef: SaverDef;
  /** `variables` and `trainable_variables` collections for the MetaGraphDef. */
  collections: Record<string, CollectionDef>;
  variables: GraphVariable[];
  /** Tensor names (`node:0`); `classes` is absent when built without it. */
  tensors: { image: string; scores: string; classes?: string };
}

/**
 * With `classes: false`, the graph stops at the head like the Keras model's own graph (what
 * `inspect-graph --checkpoint` lists); export adds `ArgMax` for the classes output.
 */
export function buildServingGraph(spec: ModelSpec, options: { classes?: boolean } = {}): ServingGraph {
  const builder = new GraphBuilder();
  const image = builder.add('Placeholder', spec.inputName, [], {
    dtype: attr.type('DT_FLOAT'),
    shape: attr.shape([-1, ...spec.inputShape]),
  });
  const variables: GraphVariable[] = variableSpecs(spec).map((v) => ({
    name: v.name,
    dtype: 'DT_FLOAT',
    shape: v.shape,
  }));
  const definitions = variables.map((v) => addResourceVariable(builder, v));
  const { scores } = addInferenceGraph(builder, spec, {
    input: image,
    readVariable: (name, scope) => readVariable(builder, name, 'DT_FLOAT', scope),
  });
  const classes = options.classes === false ? undefined : addArgMax(builder, scores);
  const saverDef = addSaverSubgraph(builder, variables);
  return {
    graphDef: builder.build(),
    saverDef,
    collections: variableCollections(definitions),
    variables,
    tensors: { image: tensorName(image), scores: tensorName(scores), ...(classes && { classes: tensorName(classes) }) },
  };
}

/** `node` → `node:0`; `node:k` unchanged. */
export function tensorName(input: string): string {
  return input.includes(':') ? input : `${input}:0`;
}
