/**
 * `inspect-graph`: the nodes, inputs, outputs and signatures of a SavedModel, a checkpoint's
 * graph or the default model's. A protobuf decode only: it never loads TensorFlow.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { UserInputError } from '../../errors.ts';
import { readSidecar } from '../../checkpoint/meta.ts';
import { resolveCheckpointArgument } from '../../checkpoint/paths.ts';
import { SERVE_TAG } from '../../formats/tensorflow/constants.ts';
import { filterNodes, graphToDot, summarizeGraph, type NodeSummary } from '../../graph/inspect.ts';
import { defaultModelSpec } from '../../model/spec.ts';
import { savedModelGraphSource, specGraphSource, type GraphSource } from '../../savedmodel/graph-source.ts';
import { formatShape, formatSignatures } from '../../savedmodel/show-signatures.ts';
import { summarizeSignatures, type SignatureSummary } from '../../savedmodel/signatures.ts';
import { localVersionDir } from '../../storage/open-model-store.ts';
import { isS3Uri } from '../../storage/s3-location.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { globalOptions, printResult, table } from '../output.ts';
import { runAction } from '../run-action.ts';

interface InspectFlags {
  checkpoint?: string;
  savedModel?: string;
  tag: string;
  filter?: string;
  op?: string;
  signatures?: boolean;
  dot?: string;
  svg?: string;
}

/** Adds this command's options, subcommands and action to `command` (named and described by main.ts). */
export function register(inspectGraph: Command): void {
  inspectGraph
    .option('--checkpoint <prefix>', "the graph a checkpoint's model spec builds")
    .option(
      '--saved-model <dir>',
      'a SavedModel directory (ours or one TensorFlow wrote), or a version on a store: s3://bucket/base/N',
    )
    .option('--tag <tag>', 'the MetaGraphDef tag to read from --saved-model', SERVE_TAG)
    .option('--filter <regex>', 'only nodes whose name matches')
    .option('--op <op>', 'only nodes of this op type (e.g. Conv2D)')
    .option('--signatures', 'print tags and signatures as `saved_model_cli show --all` does')
    .option('--dot <file>', 'write the (filtered) graph as Graphviz DOT')
    .option('--svg <file>', "render the (filtered) graph as SVG with Graphviz's `dot`")
    .action(
      runAction(async (flags: InspectFlags, command: Command) => {
        const options = globalOptions(command);
        const source = await graphSource(flags);
        const signatures = summarizeSignatures(source.signatures);
        const fetched = signatures.flatMap((s) => Object.values(s.outputs).map((t) => t.name));
        const summary = summarizeGraph(source.graphDef, source.saverDef, fetched);
        const filter = { pattern: compileFilter(flags.filter), op: flags.op };
        const nodes = filterNodes(summary.nodes, filter);
        const functions = summary.functions.map((f) => ({ ...f, nodes: filterNodes(f.nodes, filter) }));
        // Render before writing anything, so a failing `dot` leaves no DOT file behind either.
        const dot = flags.dot || flags.svg ? graphToDot(nodes) : '';
        const svg = flags.svg ? renderSvg(dot, flags.svg) : '';
        if (flags.dot) writeFileAtomic(flags.dot, dot);
        if (flags.svg) writeFileAtomic(flags.svg, svg);
        const result = {
          source: source.description,
          inputs: summary.inputs,
          outputs: summary.outputs,
          signatures,
          nodeCount: summary.nodes.length,
          nodes,
          functions,
          metaGraphs: source.metaGraphs.map((m) => ({ tags: m.tags, signatures: summarizeSignatures(m.signatures) })),
          ...(flags.dot && { dot: flags.dot }),
          ...(flags.svg && { svg: flags.svg }),
        };
        printResult(options, result, () =>
          flags.signatures ? formatSignatures(source.metaGraphs) : renderGraph(result, !flags.savedModel),
        );
      }),
    );
}

async function graphSource(flags: InspectFlags): Promise<GraphSource> {
  if (flags.checkpoint && flags.savedModel) throw new UserInputError('give --checkpoint or --saved-model, not both');
  if (flags.savedModel && isS3Uri(flags.savedModel)) {
    const download = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-serve-inspect-'));
    try {
      const source = savedModelGraphSource(await localVersionDir(flags.savedModel, () => download), flags.tag);
      return { ...source, description: source.description.replace(download, flags.savedModel) };
    } finally {
      fs.rmSync(download, { recursive: true, force: true });
    }
  }
  if (flags.savedModel) return savedModelGraphSource(flags.savedModel, flags.tag);
  if (flags.checkpoint) {
    const prefix = resolveCheckpointArgument(flags.checkpoint);
    return specGraphSource(readSidecar(prefix).spec, `checkpoint ${prefix}`);
  }
  return specGraphSource(defaultModelSpec(), 'the default model spec');
}

function compileFilter(pattern: string | undefined): RegExp | undefined {
  if (pattern === undefined) return undefined;
  try {
    return new RegExp(pattern);
  } catch (error) {
    throw new UserInputError(`--filter: not a valid regular expression: ${(error as Error).message}`);
  }
}

function renderSvg(dot: string, file: string): string {
  const result = spawnSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new UserInputError(
      `--svg ${file} needs Graphviz's \`dot\` on PATH (e.g. apt-get install graphviz); ` +
        '--dot FILE writes the DOT source without it',
    );
  }
  if (result.status !== 0)
    throw new UserInputError(`--svg ${file}: dot failed: ${(result.stderr || '').trim().split('\n')[0]}`);
  return result.stdout;
}

/** `fromSpec`: the signatures are those export would write, over the ArgMax it adds to this graph. */
function renderGraph(
  result: {
    source: string;
    inputs: string[];
    outputs: string[];
    signatures: SignatureSummary[];
    nodeCount: number;
    nodes: NodeSummary[];
    functions: { name: string; inputs: string[]; outputs: string[]; nodes: NodeSummary[] }[];
    dot?: string;
    svg?: string;
  },
  fromSpec: boolean,
): string {
  const asExported = fromSpec ? ' (as export writes it, adding ArgMax)' : '';
  const lines = [
    `source: ${result.source}`,
    `input: ${result.inputs.join(', ') || '(none)'}  output: ${result.outputs.join(', ') || '(none)'}`,
    ...result.signatures.map(
      (s) => `signature ${s.name}${asExported}: ${tensorNames(s.inputs)} -> ${tensorNames(s.outputs)}`,
    ),
    `${result.nodes.length} of ${result.nodeCount} nodes`,
    '',
    nodeTable(result.nodes),
  ];
  for (const fn of result.functions) {
    lines.push(
      '',
      `function ${fn.name} (${fn.inputs.join(', ')}) -> (${fn.outputs.join(', ')}): ${fn.nodes.length} nodes`,
    );
    if (fn.nodes.length > 0) lines.push(indent(nodeTable(fn.nodes)));
  }
  if (result.dot) lines.push('', `wrote ${result.dot}`);
  if (result.svg) lines.push('', `wrote ${result.svg}`);
  return lines.join('\n');
}

/** `key=tensor` pairs, as a signature maps its keys to graph tensors. */
function tensorNames(tensors: SignatureSummary['inputs']): string {
  return Object.entries(tensors)
    .map(([key, t]) => `${key}=${t.name}`)
    .join(', ');
}

function nodeTable(nodes: NodeSummary[]): string {
  return table(
    ['NAME', 'OP', 'DTYPE', 'SHAPE', 'INPUTS'],
    nodes.map((n) => [n.name, n.op, n.dtype ?? '', n.shape ? formatShape(n.shape) : '', n.inputs.join(', ')]),
  );
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
