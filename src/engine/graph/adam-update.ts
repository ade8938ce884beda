/**
 * Adam as Keras applies it, one `ResourceApplyAdam` per variable. The kernel computes
 *   m ← β1·m + (1-β1)·g,  v ← β2·v + (1-β2)·g²,  w ← w - lr·√(1-β2ᵗ)/(1-β1ᵗ) · m/(√v + ε)
 * with t = iteration + 1 read from the int64 step counter, which the update then advances.
 */
import { attr } from '../../graph/graph-builder.ts';
import type { AdamSpec } from '../../model/spec.ts';
import type { FloatOps } from './float-ops.ts';

export interface AdamVariable {
  /** VarHandleOp nodes of the weight and its two slots. */
  handle: string;
  m: string;
  v: string;
  gradient: string;
}

/** Returns the node that, when run, has applied every update and advanced the step counter. */
export function addAdamUpdate(ops: FloatOps, adam: AdamSpec, iteration: string, variables: AdamVariable[]): string {
  const b = ops.b;
  const int64 = { T: attr.type('DT_INT64') };
  const step = b.add('ReadVariableOp', 'adam/iteration/ReadVariableOp', [iteration], { dtype: attr.type('DT_INT64') });
  const nextStep = b.add('AddV2', 'adam/add', [step, b.constant('adam/one', 1, [], 'DT_INT64')], int64);
  const t = ops.cast('adam/Cast', nextStep, 'DT_INT64', 'DT_FLOAT');
  const beta1 = ops.scalar('adam/beta_1', adam.beta1);
  const beta2 = ops.scalar('adam/beta_2', adam.beta2);
  const beta1Power = ops.binary('Pow', 'adam/Pow', beta1, t);
  const beta2Power = ops.binary('Pow', 'adam/Pow_1', beta2, t);
  const learningRate = ops.scalar('adam/learning_rate', adam.learningRate);
  const epsilon = ops.scalar('adam/epsilon', adam.epsilon);
  const applies = variables.map((variable) =>
    b.add(
      'ResourceApplyAdam',
      `adam/update_${variable.handle}/ResourceApplyAdam`,
      [
        variable.handle,
        variable.m,
        variable.v,
        beta1Power,
        beta2Power,
        learningRate,
        beta1,
        beta2,
        epsilon,
        variable.gradient,
      ],
      { T: attr.type('DT_FLOAT'), use_locking: attr.bool(false), use_nesterov: attr.bool(false) },
    ),
  );
  const advance = b.add(
    'AssignVariableOp',
    'adam/iteration/AssignVariableOp',
    [iteration, nextStep, ...applies.map((a) => `^${a}`)],
    {
      dtype: attr.type('DT_INT64'),
    },
  );
  return ops.noOp('adam/update', [advance]);
}
