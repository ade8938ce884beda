/**
 * Picks the training engine. The graph engine (the default: one TensorFlow call per step) is
 * imported only when asked for, so the eager path never loads its graph-building code; both
 * take and give the same TrainingState, so checkpoints resume on either.
 */
import type { ModelSpec } from '../model/spec.ts';
import { createEagerEngine } from './eager-engine.ts';
import type { TrainingEngine } from './training-engine.ts';
import type { EngineKind, TrainingState } from '../model/training-state.ts';

export const ENGINE_KINDS: readonly EngineKind[] = ['graph', 'eager'];
export const DEFAULT_ENGINE: EngineKind = 'graph';

export async function createEngine(kind: EngineKind, spec: ModelSpec, state: TrainingState): Promise<TrainingEngine> {
  if (kind === 'eager') return createEagerEngine(spec, state);
  const { createGraphEngine } = await import('./graph/graph-engine.ts');
  return createGraphEngine(spec, state);
}
