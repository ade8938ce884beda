/** Where the loop's checkpoints go: a managed directory or the notebook's one prefix. */
import { saveCheckpoint, saveWeightsAt } from '../checkpoint/manager.ts';
import { SIDECAR_FORMAT, type CheckpointMeta, type DataSourceMeta, type RunSettings } from '../checkpoint/meta.ts';
import type { Monitor } from '../model/training-metrics.ts';
import type { TrainingEngine } from '../engine/training-engine.ts';

export type CheckpointTarget =
  | { kind: 'directory'; dir: string; keep: number; saveBestOnly: boolean }
  | { kind: 'weights'; prefix: string };

/** The parts of a sidecar that change from one save to the next. */
export type CheckpointProgress = Pick<
  CheckpointMeta,
  'epoch' | 'batch' | 'metrics' | 'partialEpoch' | 'best' | 'reason'
>;

export interface CheckpointContext {
  target: CheckpointTarget;
  data: DataSourceMeta;
  run: RunSettings;
  monitor: Monitor;
}

/** Writes one checkpoint of the engine's current state; returns its prefix. */
export async function writeTrainingCheckpoint(
  context: CheckpointContext,
  engine: TrainingEngine,
  progress: CheckpointProgress,
): Promise<string> {
  const { target } = context;
  const state = await engine.getState();
  const meta: CheckpointMeta = {
    format: SIDECAR_FORMAT,
    formatVersion: 1,
    ...progress,
    step: state.adam.step,
    timestamp: new Date().toISOString(),
    engine: engine.kind,
    weightsOnly: target.kind === 'weights',
    data: context.data,
    run: context.run,
    spec: engine.spec,
  };
  if (target.kind === 'weights') {
    saveWeightsAt(target.prefix, state, meta);
    return target.prefix;
  }
  return saveCheckpoint(target.dir, state, meta, target.keep).prefix;
}
