/**
 * The model's forward pass and loss in tfjs ops, read from the spec. The eager engine trains
 * through it; export verification uses it as the reference the SavedModel must match.
 */
import type * as tfjs from '@tensorflow/tfjs-node';
import type { Tf } from '../runtime/tf.ts';
import type { Activation, ModelSpec } from './spec.ts';

/** Keras's backend epsilon, used to clip probabilities before the log. */
export const KERAS_EPSILON = 1e-7;

function activate(tf: Tf, x: tfjs.Tensor, activation: Activation): tfjs.Tensor {
  switch (activation) {
    case 'relu':
      return tf.relu(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'softmax':
      return tf.softmax(x);
    case 'linear':
      return x;
  }
}

/** Class scores [batch, numClasses]: the head's output (sigmoid or softmax). */
export function forward(
  tf: Tf,
  spec: ModelSpec,
  weight: (name: string) => tfjs.Tensor,
  images: tfjs.Tensor4D,
): tfjs.Tensor2D {
  let x: tfjs.Tensor = images;
  for (const layer of spec.layers) {
    switch (layer.kind) {
      case 'conv2d':
        x = tf.conv2d(x as tfjs.Tensor4D, weight(`${layer.name}/kernel`) as tfjs.Tensor4D, 1, 'valid');
        x = activate(tf, tf.add(x, weight(`${layer.name}/bias`)), layer.activation);
        break;
      case 'maxPooling2d':
        x = tf.maxPool(x as tfjs.Tensor4D, layer.poolSize, layer.poolSize, 'valid');
        break;
      case 'flatten':
        x = tf.reshape(x, [x.shape[0]!, -1]);
        break;
      case 'dense':
        x = tf.matMul(x as tfjs.Tensor2D, weight(`${layer.name}/kernel`) as tfjs.Tensor2D);
        x = activate(tf, tf.add(x, weight(`${layer.name}/bias`)), layer.activation);
        break;
    }
  }
  return x as tfjs.Tensor2D;
}

/**
 * Keras's sparse categorical cross-entropy with from_logits=false, averaged over the batch:
 * scores are normalised to sum 1 (which matters for the sigmoid head), clipped to
 * [eps, 1-eps], and the label's -log taken.
 */
export function sparseCategoricalCrossEntropy(tf: Tf, scores: tfjs.Tensor2D, labels: tfjs.Tensor1D): tfjs.Scalar {
  const probabilities = tf.div(scores, tf.sum(scores, -1, true));
  const clipped = tf.clipByValue(probabilities, KERAS_EPSILON, 1 - KERAS_EPSILON);
  const oneHot = tf.oneHot(tf.cast(labels, 'int32') as tfjs.Tensor1D, scores.shape[1]);
  return tf.mean(tf.neg(tf.sum(tf.mul(oneHot, tf.log(clipped)), -1))) as tfjs.Scalar;
}

/** Fraction of rows whose arg-max equals the label. */
export function accuracy(tf: Tf, scores: tfjs.Tensor2D, labels: tfjs.Tensor1D): tfjs.Scalar {
  return tf.mean(tf.cast(tf.equal(tf.argMax(scores, -1), tf.cast(labels, 'int32')), 'float32')) as tfjs.Scalar;
}
