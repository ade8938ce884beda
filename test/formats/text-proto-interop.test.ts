import { describe, expect, it } from 'vitest';
import { runPython } from '../../src/runtime/python-tf.ts';
import { formatTextProto, parseTextProto } from '../../src/formats/text-proto.ts';
import { noPythonTf } from '../helpers/python-tf.ts';

// protobuf's own text_format, with TensorFlow's NodeDef schema, parses what we write and writes
// it back in its own style (map entries, bytes escapes, floats), which we must parse.
const ROUND_TRIP = `
import sys
from google.protobuf import text_format
from tensorflow.core.framework import node_def_pb2
node = text_format.Parse(sys.argv[1], node_def_pb2.NodeDef())
print(text_format.MessageToString(node), end='')
`;

describe.skipIf(noPythonTf)('text format interop (needs Python TensorFlow: npm run setup:python-tf)', () => {
  it('protobuf text_format parses ours, and we parse what it writes back', () => {
    const ours = formatTextProto({
      name: 'conv2d/Conv2D "quoted" \\ é',
      op: 'Conv2D',
      input: ['conv2d_input', 'conv2d/Conv2D/ReadVariableOp'],
      attr: [
        { key: 'T', value: { type: { enum: 'DT_FLOAT' } } },
        { key: 'strides', value: { list: { i: [1, -1, 1, 1] } } },
        { key: 'alpha', value: { f: 0.25 } },
        { key: 'use_cudnn_on_gpu', value: { b: true } },
        { key: 'padding', value: { s: 'VALID é\n\t' } },
        { key: 'shape', value: { shape: { dim: [{ size: -1 }, { size: 28 }] } } },
      ],
    });
    const theirs = runPython(ROUND_TRIP, [ours]);
    expect(theirs).toContain('\\303\\251'); // bytes fields: protobuf escapes non-ASCII in octal
    expect(parseTextProto(theirs, 'python text_format')).toEqual({
      name: ['conv2d/Conv2D "quoted" \\ é'],
      op: ['Conv2D'],
      input: ['conv2d_input', 'conv2d/Conv2D/ReadVariableOp'],
      attr: [
        { key: ['T'], value: [{ type: [{ enum: 'DT_FLOAT' }] }] },
        { key: ['alpha'], value: [{ f: [0.25] }] },
        { key: ['padding'], value: [{ s: ['VALID é\n\t'] }] },
        { key: ['shape'], value: [{ shape: [{ dim: [{ size: [-1] }, { size: [28] }] }] }] },
        { key: ['strides'], value: [{ list: [{ i: [1, -1, 1, 1] }] }] },
        { key: ['use_cudnn_on_gpu'], value: [{ b: [true] }] },
      ],
    });
  });
});
