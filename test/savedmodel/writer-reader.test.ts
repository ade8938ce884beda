import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/errors.ts';
import { decodeMessage } from '../../src/formats/proto/index.ts';
import { readTensorBundle } from '../../src/formats/tensor-bundle/index.ts';
import { defaultModelSpec } from '../../src/model/spec.ts';
import { readSavedModel } from '../../src/savedmodel/reader.ts';
import { servingModelContent } from '../../src/savedmodel/serving-model.ts';
import { writeSavedModel } from '../../src/savedmodel/writer.ts';
import { fixtureWeights, tempDir } from './fixtures.ts';

const spec = defaultModelSpec();
const weights = fixtureWeights(spec);

function writeFixture(extra: { assetsExtra?: Record<string, Uint8Array>; tags?: string[] } = {}): string {
  const dir = tempDir('sm');
  writeSavedModel(dir, { ...servingModelContent(spec, weights, { assetsExtra: extra.assetsExtra }), tags: extra.tags });
  return dir;
}

describe('writeSavedModel', () => {
  it('writes saved_model.pb, the variables bundle and assets.extra in the TF layout', () => {
    const dir = writeFixture({ assetsExtra: { 'hello.txt': new TextEncoder().encode('hi') } });
    expect(fs.readdirSync(dir).sort()).toEqual(['assets.extra', 'saved_model.pb', 'variables']);
    expect(fs.readdirSync(path.join(dir, 'variables')).sort()).toEqual([
      'variables.data-00000-of-00001',
      'variables.index',
    ]);
    expect(fs.readFileSync(path.join(dir, 'assets.extra', 'hello.txt'), 'utf8')).toBe('hi');
  });

  it('stores every weight under its variable name, values unchanged', () => {
    const dir = writeFixture();
    const tensors = readTensorBundle(path.join(dir, 'variables', 'variables'));
    expect(tensors.map((t) => t.name).sort()).toEqual([...weights.keys()].sort());
    for (const tensor of tensors) {
      expect(tensor.dtype).toBe('float32');
      expect(Array.from(tensor.data as Float32Array)).toEqual(Array.from(weights.get(tensor.name)!));
    }
  });

  it('reads back one serve MetaGraphDef with the graph, saver_def, signatures and variable collections', () => {
    const { savedModel, metaGraph } = readSavedModel(writeFixture());
    expect(savedModel.saved_model_schema_version).toBe(1);
    expect(metaGraph.meta_info_def!.tags).toEqual(['serve']);
    expect(metaGraph.meta_info_def!.tensorflow_version).toBe('2.21.0');
    expect(metaGraph.saver_def).toMatchObject({
      filename_tensor_name: 'save/Const:0',
      restore_op_name: 'save/restore_all',
      version: 'V2',
    });
    expect(Object.keys(metaGraph.signature_def!).sort()).toEqual(['predict_classes', 'serving_default']);
    expect(metaGraph.signature_def!.serving_default).toEqual({
      inputs: {
        image: {
          name: 'conv2d_input:0',
          dtype: 'DT_FLOAT',
          tensor_shape: { dim: [{ size: -1 }, { size: 28 }, { size: 28 }, { size: 1 }] },
        },
      },
      outputs: {
        scores: { name: 'dense_1/Sigmoid:0', dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: -1 }, { size: 10 }] } },
        classes: { name: 'ArgMax:0', dtype: 'DT_INT64', tensor_shape: { dim: [{ size: -1 }] } },
      },
      method_name: 'tensorflow/serving/predict',
      defaults: {},
    });
    // The notebook's decoded: the output layer, the same tensor as scores.
    expect(metaGraph.signature_def!.predict_classes!.outputs).toEqual({
      decoded: metaGraph.signature_def!.serving_default!.outputs!.scores,
    });
    const variableDefs = metaGraph.collection_def!.variables!.bytes_list!.value!.map((b) =>
      decodeMessage<Record<string, unknown>>('tensorflow.VariableDef', b),
    );
    expect(variableDefs[0]).toEqual({
      variable_name: 'conv2d/kernel:0',
      initializer_name: 'conv2d/kernel/Assign',
      snapshot_name: 'conv2d/kernel/Read/ReadVariableOp:0',
      is_resource: true,
      initial_value_name: 'conv2d/kernel/Initializer/zeros:0',
      trainable: true,
    });
    expect(metaGraph.collection_def!.trainable_variables!.bytes_list!.value).toHaveLength(10);
  });

  it('names signatures as asked', () => {
    const content = servingModelContent(spec, weights, {
      signatureNames: { main: 'classify', decoded: 'only_classes' },
    });
    expect(Object.keys(content.signatures).sort()).toEqual(['classify', 'only_classes']);
  });

  it('refuses weights that do not fit the spec', () => {
    const wrong = new Map(weights);
    wrong.set('dense/bias', new Float32Array(3));
    expect(() => servingModelContent(spec, wrong)).toThrow(/dense\/bias has 3 values, expected 32/);
  });
});

describe('readSavedModel errors', () => {
  function error(run: () => unknown): UserInputError {
    try {
      run();
    } catch (caught) {
      expect(caught).toBeInstanceOf(UserInputError);
      return caught as UserInputError;
    }
    throw new Error('expected a UserInputError');
  }

  it('names a missing directory', () => {
    expect(error(() => readSavedModel('/nonexistent/model')).message).toBe(
      '/nonexistent/model: no such SavedModel directory',
    );
  });

  it('names a directory without saved_model.pb', () => {
    const dir = tempDir('empty');
    expect(error(() => readSavedModel(dir)).message).toBe(
      `${dir}: not a SavedModel directory: saved_model.pb is missing`,
    );
  });

  it('rejects a corrupt saved_model.pb', () => {
    const dir = writeFixture();
    const file = path.join(dir, 'saved_model.pb');
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 5000));
    expect(error(() => readSavedModel(dir)).message).toMatch(
      new RegExp(`^${file}: not a valid SavedModel protobuf \\(`),
    );
  });

  it('rejects a file of text as a SavedModel with no MetaGraphDef', () => {
    const dir = tempDir('text');
    fs.writeFileSync(path.join(dir, 'saved_model.pb'), '');
    expect(error(() => readSavedModel(dir)).message).toMatch(
      /not a valid SavedModel protobuf \(it holds no MetaGraphDef\)/,
    );
  });

  it('lists the available tag-sets for an unknown tag', () => {
    const dir = writeFixture({ tags: ['serve', 'gpu'] });
    expect(readSavedModel(dir, { tag: 'gpu' }).metaGraph.meta_info_def!.tags).toEqual(['serve', 'gpu']);
    expect(error(() => readSavedModel(dir, { tag: 'train' })).message).toBe(
      `${dir}: no MetaGraphDef with tag "train" (available tag-sets: serve,gpu)`,
    );
  });
});
