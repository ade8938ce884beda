/** The model spec + trained weights as SavedModel content: graph, saver, signatures, variables. */
import type { BundleTensor } from '../formats/tensor-bundle/index.ts';
import { buildServingGraph } from '../graph/serving-graph.ts';
import type { ModelSpec } from '../model/spec.ts';
import { servingSignatures, type SignatureNames } from './signatures.ts';
import type { SavedModelContent } from './writer.ts';

/** `weights` maps each variable name (`conv2d/kernel`, …) to its values in row-major order. */
export function servingModelContent(
  spec: ModelSpec,
  weights: ReadonlyMap<string, Float32Array>,
  options: { signatureNames?: SignatureNames; assetsExtra?: Record<string, Uint8Array> } = {},
): SavedModelContent {
  const graph = buildServingGraph(spec);
  const variables: BundleTensor[] = graph.variables.map((v) => {
    const data = weights.get(v.name);
    const size = v.shape.reduce((a, b) => a * b, 1);
    if (!data) throw new Error(`no weights for variable ${v.name}`);
    if (data.length !== size)
      throw new Error(`variable ${v.name} has ${data.length} values, expected ${size} for shape [${v.shape}]`);
    return { name: v.name, dtype: 'float32', shape: v.shape, data };
  });
  const { image, scores, classes } = graph.tensors;
  if (!classes) throw new Error('the serving graph has no classes output');
  return {
    graphDef: graph.graphDef,
    saverDef: graph.saverDef,
    collections: graph.collections,
    signatures: servingSignatures(spec, { image, scores, classes }, options.signatureNames),
    variables,
    assetsExtra: options.assetsExtra,
  };
}
