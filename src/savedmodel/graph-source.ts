/**
 * Where `inspect-graph` gets a graph: a SavedModel directory (ours or TensorFlow's, decoded
 * from protobuf), or a model spec — a checkpoint's or the default — built into the graph that
 * Keras's model holds, with the signatures `export` would write. Never loads TensorFlow.
 */
import type { GraphDef, SaverDef, SignatureDef } from '../formats/proto/types.ts';
import { buildServingGraph } from '../graph/serving-graph.ts';
import type { ModelSpec } from '../model/spec.ts';
import { readSavedModel } from './reader.ts';
import { servingSignatures, type SignatureNames } from './signatures.ts';
import { SERVE_TAG } from '../formats/tensorflow/constants.ts';

export interface GraphSource {
  /** What was read, for people: `SavedModel DIR (tag serve)`, `checkpoint PREFIX`. */
  description: string;
  graphDef: GraphDef;
  saverDef?: SaverDef;
  /** The signatures of the MetaGraphDef read (a spec source: those export would write). */
  signatures: Record<string, SignatureDef>;
  /** Every MetaGraphDef's tags and signatures (a spec source: the one export would write). */
  metaGraphs: { tags: string[]; signatures: Record<string, SignatureDef> }[];
}

export function savedModelGraphSource(dir: string, tag = SERVE_TAG): GraphSource {
  const { savedModel, metaGraph } = readSavedModel(dir, { tag });
  return {
    description: `SavedModel ${dir} (tag ${tag})`,
    graphDef: metaGraph.graph_def ?? {},
    saverDef: metaGraph.saver_def,
    signatures: metaGraph.signature_def ?? {},
    metaGraphs: (savedModel.meta_graphs ?? []).map((m) => ({
      tags: m.meta_info_def?.tags ?? [],
      signatures: m.signature_def ?? {},
    })),
  };
}

export function specGraphSource(spec: ModelSpec, description: string, names?: SignatureNames): GraphSource {
  const { image, scores, classes } = buildServingGraph(spec).tensors;
  const graph = buildServingGraph(spec, { classes: false });
  const signatures = servingSignatures(spec, { image, scores, classes: classes! }, names);
  return {
    description,
    graphDef: graph.graphDef,
    saverDef: graph.saverDef,
    signatures,
    metaGraphs: [{ tags: [SERVE_TAG], signatures }],
  };
}
