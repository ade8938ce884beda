/** The checkpoint manager: TensorFlow tensor bundles + JSON sidecars + the `checkpoint` state file. */
export { listCheckpoints, type CheckpointInfo } from './listing.ts';
export { loadCheckpoint, verifyTensors, type LoadedCheckpoint, type TensorReport } from './load.ts';
export {
  promoteCheckpoint,
  pruneCheckpoints,
  removeCheckpointFiles,
  saveCheckpoint,
  saveWeightsAt,
  type SavedCheckpoint,
} from './manager.ts';
export { readSidecar, sidecarPath, type CheckpointMeta, type DataSourceMeta, type RunSettings } from './meta.ts';
export { DEFAULT_CHECKPOINT_DIR, latestCheckpoint, resolveCheckpointArgument } from './paths.ts';
export { stateToTensors, tensorsToState, type TrainingPosition } from './state-tensors.ts';
