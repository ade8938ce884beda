import { describe, expect, it } from 'vitest';
import { filterNodes, graphToDot, summarizeGraph } from '../../src/graph/inspect.ts';
import { buildServingGraph } from '../../src/graph/serving-graph.ts';
import { defaultModelSpec } from '../../src/model/spec.ts';

describe('summarizeGraph', () => {
  it('names the placeholder input and the head as output, ignoring saver and initialiser nodes', () => {
    const summary = summarizeGraph(buildServingGraph(defaultModelSpec(), { classes: false }).graphDef);
    expect(summary.inputs).toEqual(['conv2d_input:0']);
    expect(summary.outputs).toEqual(['dense_1/Sigmoid:0']);
  });

  it('takes ArgMax as the output once the classes are added, and also the tensors signatures fetch', () => {
    const { graphDef } = buildServingGraph(defaultModelSpec());
    expect(summarizeGraph(graphDef).outputs).toEqual(['ArgMax:0']);
    expect(summarizeGraph(graphDef, undefined, ['dense_1/Sigmoid:0', 'ArgMax:0', 'missing:0']).outputs).toEqual([
      'dense_1/Sigmoid:0',
      'ArgMax:0',
    ]);
  });

  it('reports dtype and shape where the attrs record them', () => {
    const { nodes } = summarizeGraph(buildServingGraph(defaultModelSpec()).graphDef);
    expect(nodes.find((n) => n.name === 'conv2d_input')).toEqual({
      name: 'conv2d_input',
      op: 'Placeholder',
      inputs: [],
      dtype: 'DT_FLOAT',
      shape: [-1, 28, 28, 1],
    });
    expect(nodes.find((n) => n.name === 'dense/kernel')).toMatchObject({ dtype: 'DT_FLOAT', shape: [576, 32] });
    expect(nodes.find((n) => n.name === 'ArgMax')).toMatchObject({ dtype: 'DT_FLOAT', shape: null });
  });
});

describe('filterNodes and graphToDot', () => {
  const { nodes } = summarizeGraph(buildServingGraph(defaultModelSpec()).graphDef);

  it('filters by name pattern and by op', () => {
    expect(filterNodes(nodes, { op: 'Conv2D' }).map((n) => n.name)).toEqual([
      'conv2d/Conv2D',
      'conv2d_1/Conv2D',
      'conv2d_2/Conv2D',
    ]);
    expect(filterNodes(nodes, { pattern: /^dense_1\/(MatMul|Sigmoid)$/ }).map((n) => n.name)).toEqual([
      'dense_1/MatMul',
      'dense_1/Sigmoid',
    ]);
    expect(filterNodes(nodes, { pattern: /^dense/, op: 'Relu' }).map((n) => n.name)).toEqual(['dense/Relu']);
  });

  it('writes DOT with an edge per data input between listed nodes and dashed control edges', () => {
    const dot = graphToDot(filterNodes(nodes, { pattern: /^(conv2d\/|save\/(restore_all|AssignVariableOp)$)/ }));
    expect(dot.startsWith('digraph "graph" {')).toBe(true);
    expect(dot).toContain('"conv2d/Conv2D" -> "conv2d/BiasAdd";');
    expect(dot).toContain('"save/AssignVariableOp" -> "save/restore_all" [style=dashed];');
    expect(dot).toContain('"conv2d/Relu" [label="conv2d/Relu\\nRelu"];');
    expect(dot).not.toContain('conv2d_input');
    expect(dot.trimEnd().endsWith('}')).toBe(true);
  });
});
