/**
 * tfjs's Relu gradient is dy·step(x), and tfjs-node's Step kernel builds two full-size arrays in
 * JavaScript per call: measured here it was a quarter of a training step. TensorFlow's own
 * ReluGrad is dy where x > 0, else 0; this registers the same thing as three native ops.
 */
import type * as tfjs from '@tensorflow/tfjs-node';
import type { Tf } from '../runtime/tf.ts';

let registered = false;

export function useNativeReluGradient(tf: Tf): void {
  if (registered) return;
  registered = true;
  tf.registerGradient({
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const x = saved[0]!;
      return { x: () => tf.mul(dy as tfjs.Tensor, tf.cast(tf.greater(x, 0), 'float32')) };
    },
  });
}
