/**
 * The training curves' data: one record per epoch, read from the sidecars of the checkpoints in
 * the directory of the one reported on. A sidecar holds the metrics of its last completed epoch,
 * so epochs whose checkpoints were pruned (`train --keep`) are missing and reported as such.
 */
import path from 'node:path';
import { listCheckpoints } from '../checkpoint/listing.ts';
import type { CheckpointMeta } from '../checkpoint/meta.ts';
import type { EpochRecord } from './figures.ts';

export interface TrainingHistory {
  epochs: EpochRecord[];
  /** Epochs before the last one that have no checkpoint left to read them from. */
  missingEpochs: number[];
}

/**
 * Walks back from `prefix` through older checkpoints of the same run: a run's epochs only grow,
 * so an older checkpoint with a later epoch belongs to an earlier run in the same directory.
 */
export function trainingHistory(prefix: string, meta: CheckpointMeta): TrainingHistory {
  const infos = listCheckpoints(path.dirname(prefix));
  const at = infos.findIndex((info) => info.prefix === path.normalize(prefix));
  const metas =
    at < 0
      ? [meta]
      : infos
          .slice(0, at + 1)
          .map((info) => info.meta)
          .reverse();
  const byEpoch = new Map<number, EpochRecord>();
  let newest = Number.POSITIVE_INFINITY;
  for (const m of metas) {
    if (!m) continue;
    if (m.epoch > newest) break;
    newest = m.epoch;
    if (m.metrics && m.epoch > 0 && !byEpoch.has(m.epoch)) byEpoch.set(m.epoch, { epoch: m.epoch, ...m.metrics });
  }
  const epochs = [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
  const last = epochs[epochs.length - 1]?.epoch ?? 0;
  const missingEpochs = Array.from({ length: last }, (_, i) => i + 1).filter((epoch) => !byEpoch.has(epoch));
  return { epochs, missingEpochs };
}
