/** What `checkpoint list` shows: every checkpoint in a directory, its metrics, latest and best. */
import fs from 'node:fs';
import path from 'node:path';
import { readSidecar, type CheckpointMeta } from './meta.ts';
import type { Monitor } from '../model/training-metrics.ts';
import { checkpointFiles, latestCheckpoint, listedCheckpoints } from './paths.ts';

export interface CheckpointInfo {
  prefix: string;
  meta: CheckpointMeta | null;
  /** Why it would not load (an unfinished write, a missing file, a bad sidecar); null when whole. */
  problem: string | null;
  sizeBytes: number;
  modified: Date | null;
  latest: boolean;
  best: boolean;
}

/** Prefixes present on disk: every `X.index` (temporary `.x` names are a writer's, not ours). */
function prefixesOnDisk(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.index') && !name.startsWith('.'))
    .map((name) => path.join(dir, name.slice(0, -'.index'.length)));
}

function describe(prefix: string): Omit<CheckpointInfo, 'latest' | 'best'> {
  let sizeBytes = 0;
  let modified: Date | null = null;
  const missing: string[] = [];
  for (const file of checkpointFiles(prefix)) {
    try {
      const stat = fs.statSync(file);
      sizeBytes += stat.size;
      if (!modified || stat.mtime > modified) modified = stat.mtime;
    } catch {
      missing.push(path.basename(file));
    }
  }
  let meta: CheckpointMeta | null = null;
  let problem: string | null = missing.length ? `missing ${missing.join(', ')}` : null;
  if (!problem) {
    try {
      meta = readSidecar(prefix);
    } catch (error) {
      problem = (error as Error).message;
    }
  }
  return { prefix, meta, problem, sizeBytes, modified };
}

function numberOf(prefix: string): number {
  const match = /ckpt-(\d+)$/.exec(prefix);
  return match ? Number(match[1]) : Number.MAX_SAFE_INTEGER;
}

/**
 * Oldest first, by checkpoint number (save order: a new run in the same directory continues the
 * numbering, though its steps start again at 1); `best` by `monitor` among checkpoints whose last
 * epoch has metrics.
 */
export function listCheckpoints(dir: string, monitor: Monitor = 'val_accuracy'): CheckpointInfo[] {
  if (!fs.existsSync(dir)) return [];
  const prefixes = [...new Set([...listedCheckpoints(dir), ...prefixesOnDisk(dir)].map((p) => path.normalize(p)))];
  const latest = latestCheckpoint(dir);
  const infos = prefixes
    .map(describe)
    .sort(
      (a, b) => numberOf(a.prefix) - numberOf(b.prefix) || (a.modified?.getTime() ?? 0) - (b.modified?.getTime() ?? 0),
    );
  const scored = infos.filter((info) => info.meta?.metrics);
  const better = (a: number, b: number) => (monitor === 'val_loss' ? a < b : a > b);
  const best = scored.reduce<CheckpointInfo | null>(
    (top, info) =>
      !top || better(info.meta!.metrics![monitor], top.meta!.metrics![monitor]) ? (info as CheckpointInfo) : top,
    null,
  );
  return infos.map((info) => ({
    ...info,
    latest: latest !== null && path.normalize(latest) === info.prefix,
    best: best !== null && best.prefix === info.prefix,
  }));
}
