/**
 * Sparse categorical cross-entropy (mean over the batch), its gradient at the logits, and the
 * accuracy, for both heads.
 *
 * Softmax head: `SparseSoftmaxCrossEntropyWithLogits`, TensorFlow's fused kernel — what Keras
 * itself runs for a softmax output, since it recovers the logits behind it.
 * Sigmoid head (the notebook's): Keras normalises the scores s to p = s / Σs, clips p to
 * [ε, 1-ε] and takes -log p_y. Written out, ∂L/∂s_k = (1 - [k=y] / p_y) / Σs where p_y is
 * inside the clip range (zero outside, as the clip's gradient), and `SigmoidGrad` carries it
 * to the logits.
 */
import { KERAS_EPSILON } from '../../model/forward.ts';
import type { Head } from '../../model/spec.ts';
import { attr } from '../../graph/graph-builder.ts';
import type { FloatOps } from './float-ops.ts';

export interface HeadLoss {
  /** Mean loss over the batch, a scalar. */
  loss: string;
  /** ∂(mean loss)/∂logits, [batch, classes]. */
  dLogits: string;
  /** Fraction of the batch whose arg-max score is the label. */
  accuracy: string;
}

export function addHeadLoss(
  ops: FloatOps,
  head: Head,
  numClasses: number,
  logits: string,
  scores: string,
  labels: string,
): HeadLoss {
  const batchSize = ops.cast(
    'loss/batch_size',
    ops.b.add('Size', 'loss/Size', [labels], { T: attr.type('DT_INT32'), out_type: attr.type('DT_INT32') }),
    'DT_INT32',
    'DT_FLOAT',
  );
  const classAxis = ops.ints('loss/class_axis', [1]);
  const accuracy = addAccuracy(ops, scores, labels);
  if (head === 'softmax') {
    const xent = ops.b.add(
      'SparseSoftmaxCrossEntropyWithLogits',
      'loss/SparseSoftmaxCrossEntropyWithLogits',
      [logits, labels],
      {
        T: attr.type('DT_FLOAT'),
        Tlabels: attr.type('DT_INT32'),
      },
    );
    return {
      loss: ops.reduce('Mean', 'loss/Mean', `${xent}:0`, ops.ints('loss/batch_axis', [0]), false),
      dLogits: ops.binary('RealDiv', 'gradients/loss/truediv', `${xent}:1`, batchSize),
      accuracy,
    };
  }
  const oneHot = ops.b.add(
    'OneHot',
    'loss/OneHot',
    [labels, ops.ints('loss/depth', numClasses), ops.scalar('loss/on_value', 1), ops.scalar('loss/off_value', 0)],
    {
      T: attr.type('DT_FLOAT'),
      TI: attr.type('DT_INT32'),
      axis: attr.int(-1),
    },
  );
  const total = ops.reduce('Sum', 'loss/Sum', scores, classAxis, true);
  const probabilities = ops.binary('RealDiv', 'loss/truediv', scores, total);
  const labelProbability = ops.reduce(
    'Sum',
    'loss/Sum_1',
    ops.binary('Mul', 'loss/mul', probabilities, oneHot),
    classAxis,
    true,
  );
  const epsilon = ops.scalar('loss/epsilon', KERAS_EPSILON);
  const oneMinusEpsilon = ops.scalar('loss/one_minus_epsilon', 1 - KERAS_EPSILON);
  const clipped = ops.clip('loss/clip_by_value', labelProbability, epsilon, oneMinusEpsilon);
  const allAxes = ops.ints('loss/all_axes', [0, 1]);
  const loss = ops.unary(
    'Neg',
    'loss/Neg',
    ops.reduce('Mean', 'loss/Mean', ops.unary('Log', 'loss/Log', clipped), allAxes, false),
  );

  const g = 'gradients/loss';
  const inRange = ops.b.add('LogicalAnd', `${g}/LogicalAnd`, [
    ops.compare('GreaterEqual', `${g}/GreaterEqual`, labelProbability, epsilon),
    ops.compare('LessEqual', `${g}/LessEqual`, labelProbability, oneMinusEpsilon),
  ]);
  const mask = ops.cast(`${g}/mask`, inRange, 'DT_BOOL', 'DT_FLOAT');
  // DivNoNan keeps rows whose label score underflowed to 0 finite; the mask zeroes them anyway.
  const ratio = ops.binary(
    'Sub',
    `${g}/sub`,
    ops.scalar(`${g}/one`, 1),
    ops.binary('DivNoNan', `${g}/div_no_nan`, oneHot, labelProbability),
  );
  const scale = ops.binary('RealDiv', `${g}/scale`, mask, ops.binary('Mul', `${g}/mul`, total, batchSize));
  const dScores = ops.binary('Mul', `${g}/dscores`, ratio, scale);
  return { loss, dLogits: ops.binary('SigmoidGrad', `${g}/SigmoidGrad`, scores, dScores), accuracy };
}

function addAccuracy(ops: FloatOps, scores: string, labels: string): string {
  const predicted = ops.argMax('metrics/ArgMax', scores, ops.ints('metrics/axis', 1));
  const correct = ops.b.add('Equal', 'metrics/Equal', [predicted, labels], {
    T: attr.type('DT_INT32'),
    incompatible_shape_error: attr.bool(true),
  });
  return ops.reduce(
    'Mean',
    'metrics/accuracy',
    ops.cast('metrics/Cast', correct, 'DT_BOOL', 'DT_FLOAT'),
    ops.ints('metrics/batch_axis', [0]),
    false,
  );
}
