import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPython } from '../../src/runtime/python-tf.ts';
import { decodeTFRecords, encodeTFRecords } from '../../src/formats/tfrecord.ts';
import { noPythonTf } from '../helpers/python-tf.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { records } from './tfrecord-fixtures.ts';

const TF_RECORDS = `
import json, sys
import tensorflow as tf
ours, theirs = sys.argv[1], sys.argv[2]
read = [r.numpy().hex() for r in tf.data.TFRecordDataset(ours)]
with tf.io.TFRecordWriter(theirs) as writer:
    for i in range(3):
        writer.write(bytes(range(i * 7)) + b'tf')
print(json.dumps(read))
`;

describe.skipIf(noPythonTf)('TFRecord interop (needs Python TensorFlow: npm run setup:python-tf)', () => {
  it('tf.data.TFRecordDataset reads ours and we read what TFRecordWriter wrote', () => {
    const dir = tempDir('tfrecord');
    const ours = path.join(dir, 'ours.tfrecord');
    const theirs = path.join(dir, 'theirs.tfrecord');
    fs.writeFileSync(ours, encodeTFRecords(records));
    const read = JSON.parse(runPython(TF_RECORDS, [ours, theirs])) as string[];
    expect(read).toEqual(records.map((r) => Buffer.from(r).toString('hex')));
    const expected = [0, 1, 2].map((i) => Uint8Array.from([...Array.from({ length: i * 7 }, (_, j) => j), 0x74, 0x66]));
    expect(decodeTFRecords(fs.readFileSync(theirs), theirs)).toEqual(expected);
  });
});
