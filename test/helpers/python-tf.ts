/**
 * Interop tests let Python TensorFlow judge our files. They run wherever it is installed
 * (`npm run setup:python-tf`); in CI (MNIST_SERVE_REQUIRE_PYTHON_TF=1) a missing install fails
 * the suite instead of skipping.
 */
import { findPythonTensorFlow } from '../../src/runtime/python-tf.ts';

export const pythonTf = findPythonTensorFlow();

if (!pythonTf && process.env.MNIST_SERVE_REQUIRE_PYTHON_TF === '1') {
  throw new Error('MNIST_SERVE_REQUIRE_PYTHON_TF=1 but no Python with TensorFlow was found (npm run setup:python-tf)');
}

/** True when interop tests must be skipped because Python TensorFlow is not installed here. */
export const noPythonTf = pythonTf === null;
