/**
 * Child process for the abandoned-staging test: a real export into BASE (argv[2]) that prints
 * each log line. `hold` (argv[3]) keeps it mid-export, its staging directory written, until it is
 * killed; otherwise it goes on to load TensorFlow and verify, as `mnist-serve export` does.
 */
import { loadTf } from '../../src/runtime/tf.ts';
import { defaultModelSpec } from '../../src/model/spec.ts';
import { exportSavedModel } from '../../src/savedmodel/export.ts';
import { fixtureWeights, syntheticSplit } from './fixtures.ts';

const [basePath, mode] = process.argv.slice(2);
const spec = defaultModelSpec();
await exportSavedModel({
  spec,
  weights: fixtureWeights(spec),
  basePath: basePath!,
  version: 7,
  modelName: 'mnist',
  signatureNames: { main: 'serving_default', decoded: 'predict_classes' },
  verify: true,
  warmupRequests: 0,
  test: syntheticSplit(8),
  loadTf: mode === 'hold' ? () => new Promise(() => setInterval(() => {}, 60_000)) : loadTf,
  log: (line) => process.stdout.write(`${line}\n`),
});
