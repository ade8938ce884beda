/**
 * A GraphDef as people read it: each node with its op, inputs and (where the attrs say) dtype
 * and shape; the graph's input tensors (placeholders) and output tensors (what no node consumes,
 * leaving the saver and variable-initialisation subgraphs out as candidates); TF2 function libraries.
 */
import type { AttrValue, FunctionDef, GraphDef, NodeDef, SaverDef } from '../formats/proto/types.ts';
import { shapeDims } from '../formats/tensorflow/shape.ts';

export interface NodeSummary {
  name: string;
  op: string;
  inputs: string[];
  dtype: string | null;
  /** null when not recorded; -1 an unknown dimension. */
  shape: number[] | null;
}

export interface FunctionSummary {
  name: string;
  inputs: string[];
  outputs: string[];
  nodes: NodeSummary[];
}

export interface GraphSummary {
  /** Tensor names (`node:0`) of the placeholders. */
  inputs: string[];
  /** Tensor names of the outputs nothing else consumes, and of those a signature fetches. */
  outputs: string[];
  nodes: NodeSummary[];
  functions: FunctionSummary[];
}

/** Ops that only feed values in; `PlaceholderWithDefault` in a saver is excluded with its scope. */
const INPUT_OPS = new Set(['Placeholder', 'PlaceholderWithDefault', 'PlaceholderV2']);
/** Ops with no data outputs: they never count as graph outputs. */
const NO_OUTPUT_OPS = new Set(['NoOp', 'AssignVariableOp', 'SaveV2', 'Save', 'SaveSlices', 'MergeV2Checkpoints']);
/** `save/…`, `save_1/…`: tf.train.Saver's scopes. */
const SAVER_SCOPE = /^save(_\d+)?\//;
/** A resource variable's initialiser, assignment, snapshot and is-initialised check. */
const VARIABLE_INIT = /\/(Initializer\/|Assign$|Read\/ReadVariableOp$|IsInitialized\/)/;

export function summarizeNode(node: NodeDef): NodeSummary {
  const attrs = node.attr ?? {};
  return {
    name: node.name ?? '',
    op: node.op ?? '',
    inputs: node.input ?? [],
    dtype: String(attrs.dtype?.type ?? attrs.T?.type ?? attrs.out_type?.type ?? attrs.output_type?.type ?? '') || null,
    shape: shapeOf(attrs),
  };
}

function shapeOf(attrs: Record<string, AttrValue>): number[] | null {
  return shapeDims(attrs.shape?.shape ?? attrs._output_shapes?.list?.shape?.[0] ?? attrs.value?.tensor?.tensor_shape);
}

/** True for saver and variable-initialisation nodes, which inspect-graph leaves out of the outputs. */
export function isAuxiliaryNode(node: Pick<NodeSummary, 'name' | 'op'>): boolean {
  return (
    SAVER_SCOPE.test(node.name) || VARIABLE_INIT.test(node.name) || node.name === 'init' || NO_OUTPUT_OPS.has(node.op)
  );
}

/**
 * With the MetaGraphDef's `saverDef`, the nodes it names (TF2's `saver_filename` and the
 * `StatefulPartitionedCall`s that save and restore) are left out of the inputs and outputs too.
 * `fetched`: tensors the signatures answer (`dense_1/Sigmoid:0`), outputs even when another node
 * (`ArgMax`) consumes them; names not in the graph are ignored.
 */
export function summarizeGraph(graph: GraphDef, saverDef?: SaverDef, fetched: string[] = []): GraphSummary {
  const nodes = (graph.node ?? []).map(summarizeNode);
  const saverNodes = new Set(
    [saverDef?.filename_tensor_name, saverDef?.save_tensor_name, saverDef?.restore_op_name]
      .filter(Boolean)
      .map((t) => t!.replace(/:\d+$/, '')),
  );
  const main = nodes.filter((n) => !isAuxiliaryNode(n) && !saverNodes.has(n.name));
  const consumed = new Set(nodes.flatMap((n) => n.inputs.filter((i) => !i.startsWith('^')).map(tensorOf)));
  const wanted = new Set(fetched.map(tensorOf));
  return {
    inputs: main.filter((n) => INPUT_OPS.has(n.op)).map((n) => `${n.name}:0`),
    outputs: main
      .filter((n) => !INPUT_OPS.has(n.op) && (!consumed.has(`${n.name}:0`) || wanted.has(`${n.name}:0`)))
      .map((n) => `${n.name}:0`),
    nodes,
    functions: (graph.library?.function ?? []).map(summarizeFunction),
  };
}

function summarizeFunction(fn: FunctionDef): FunctionSummary {
  const signature = fn.signature ?? {};
  return {
    name: signature.name ?? '',
    inputs: (signature.input_arg ?? []).map((a) => a.name ?? ''),
    outputs: (signature.output_arg ?? []).map((a) => a.name ?? ''),
    nodes: (fn.node_def ?? []).map(summarizeNode),
  };
}

/** `node` → `node:0`, `node:1` unchanged. */
function tensorOf(input: string): string {
  return input.includes(':') ? input : `${input}:0`;
}

export interface NodeFilter {
  /** Matched against node names. */
  pattern?: RegExp;
  /** Exact op type. */
  op?: string;
}

export function filterNodes(nodes: NodeSummary[], filter: NodeFilter): NodeSummary[] {
  return nodes.filter((n) => (!filter.pattern || filter.pattern.test(n.name)) && (!filter.op || n.op === filter.op));
}

/** Graphviz DOT of the nodes (edges only between listed nodes; control edges dashed). */
export function graphToDot(nodes: NodeSummary[], title = 'graph'): string {
  const listed = new Set(nodes.map((n) => n.name));
  const lines = [
    `digraph ${quote(title)} {`,
    '  rankdir=TB;',
    '  node [shape=box, fontname="Helvetica", fontsize=10];',
  ];
  for (const node of nodes) lines.push(`  ${quote(node.name)} [label=${quote(`${node.name}\n${node.op}`)}];`);
  for (const node of nodes) {
    for (const input of node.inputs) {
      const control = input.startsWith('^');
      const source = (control ? input.slice(1) : input).replace(/:\d+$/, '');
      if (!listed.has(source)) continue;
      lines.push(`  ${quote(source)} -> ${quote(node.name)}${control ? ' [style=dashed]' : ''};`);
    }
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function quote(text: string): string {
  return JSON.stringify(text);
}
