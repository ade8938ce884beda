/**
 * Picks the training engine. The graph engine is imported only when asked for, so the eager
 * path never loads its graph-building code; both take and give the same TrainingState.
 */
import { UserInputError } from '../errors.ts';
import type { ModelSpec } from '../model/spec.ts';
import { createEagerEngine } from './eager-engine.ts';
import type { EngineKind, TrainingEngine, TrainingState } from './training-engine.ts';

export const ENGINE_KINDS: readonly EngineKind[] = ['eager', 'graph'];

interface GraphEngineModule {
  createGraphEngine(spec: ModelSpec, state: TrainingState): Promise<TrainingEngine>;
}

// A variable specifier: the graph engine is optional at type-check time and loaded on demand.
const GRAPH_ENGINE_MODULE = './graph/graph-engine.ts';

export async function createEngine(kind: EngineKind, spec: ModelSpec, state: TrainingState): Promise<TrainingEngine> {
  if (kind === 'eager') return createEagerEngine(spec, state);
  let graph: GraphEngineModule;
  try {
    graph = (await import(GRAPH_ENGINE_MODULE)) as GraphEngineModule;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && /graph-engine/.test((error as Error).message);
    if (missing) {
      throw new UserInputError('--engine graph is not available in this version of mnist-serve; use --engine eager');
    }
    throw error;
  }
  return graph.createGraphEngine(spec, state);
}
