/**
 * The versions of one model, kept as TF Serving's AspiredVersionsManager keeps them: each poll
 * lists the integer directories under the base path, the version policy picks the aspired ones,
 * new ones are loaded and warmed (LOADING) while the current ones keep serving, become AVAILABLE,
 * and only then are versions that are no longer aspired taken out of service (UNLOADING) and
 * freed once their last in-flight request has finished (END). Requests hold a lease on the
 * version they run on, so no request ever sees a half-loaded or freed model.
 */
import type { ErrorCodeName } from '../../formats/proto/types.ts';
import { invalidArgument, notFound } from '../serving-errors.ts';
import { LoadedVersion } from '../servable/loaded-version.ts';
import type { Logger } from '../monitoring/logger.ts';
import { aspiredVersions, type ModelConfig } from './model-server-config.ts';
import type { VersionSource } from './version-source.ts';
import { replayWarmup } from '../servable/warmup-replay.ts';

export type VersionState = 'START' | 'LOADING' | 'AVAILABLE' | 'UNLOADING' | 'END';

export interface VersionStatus {
  version: number;
  state: VersionState;
  /** "OK", or the canonical code of a failed load ("UNKNOWN"). */
  errorCode: ErrorCodeName;
  errorMessage: string;
}

/** A version held for one request; `release()` exactly once when the request is done. */
export interface VersionLease {
  loaded: LoadedVersion;
  release(): void;
}

/** Which version a request asks for: the newest available, a number, or a label. */
export interface VersionSelector {
  version?: number;
  label?: string;
}

/** Like TF Serving's max_num_load_retries: a broken version directory is not retried forever. */
const MAX_LOAD_ATTEMPTS = 5;

interface Entry {
  status: VersionStatus;
  loaded?: LoadedVersion;
  leases: number;
  drained?: () => void;
  attempts: number;
}

export interface VersionEvents {
  available(loaded: LoadedVersion): void;
  unloaded(loaded: LoadedVersion): void;
  /** A poll or a download failed (a store unreachable or answering errors); the next poll retries. */
  storeFailed(model: string): void;
}

export class VersionManager {
  private readonly entries = new Map<number, Entry>();
  private reconciling: Promise<void> = Promise.resolve();
  private warnedEmpty = false;

  constructor(
    private config: ModelConfig,
    private readonly source: VersionSource,
    private readonly logger: Logger,
    private readonly events?: VersionEvents,
  ) {}

  get name(): string {
    return this.config.name;
  }

  get basePath(): string {
    return this.config.basePath;
  }

  /** A new policy, labels or base path takes effect at the next `poll()`. */
  updateConfig(config: ModelConfig): void {
    this.config = config;
  }

  /** One pass over the base path; passes never overlap (a second call waits for the first). */
  poll(): Promise<void> {
    this.reconciling = this.reconciling
      .then(() => this.reconcile())
      .catch((error: Error) => {
        this.events?.storeFailed(this.name);
        this.logger.error('cannot poll the base path', {
          model: this.name,
          base_path: this.config.basePath,
          error: error.message,
        });
      });
    return this.reconciling;
  }

  /** Every version this manager has known, newest first, as GetModelStatus reports them. */
  statuses(): VersionStatus[] {
    return [...this.entries.keys()].sort((a, b) => b - a).map((version) => ({ ...this.entries.get(version)!.status }));
  }

  /** The label's version number; an unknown label is INVALID_ARGUMENT, as in TF Serving. */
  resolveLabel(label: string): number {
    const version = this.config.versionLabels[label];
    if (version === undefined) throw invalidArgument(`Unrecognized servable version label: ${label}`);
    return version;
  }

  acquire(selector: VersionSelector): VersionLease {
    const version = selector.label !== undefined ? this.resolveLabel(selector.label) : selector.version;
    const entry = version === undefined ? this.newestAvailable() : this.entries.get(version);
    if (entry?.status.state !== 'AVAILABLE' || !entry.loaded) {
      const request = version === undefined ? `Latest(${this.name})` : `Specific(${this.name}, ${version})`;
      throw notFound(`Servable not found for request: ${request}`);
    }
    entry.leases += 1;
    let released = false;
    return {
      loaded: entry.loaded,
      release: () => {
        if (released) return;
        released = true;
        entry.leases -= 1;
        if (entry.leases === 0) entry.drained?.();
      },
    };
  }

  /** Takes every version out of service and frees it once its requests are done. */
  async unloadAll(): Promise<void> {
    await this.reconciling;
    await Promise.all(
      [...this.entries.entries()].filter(([, entry]) => entry.loaded).map(([version]) => this.unload(version)),
    );
  }

  private newestAvailable(): Entry | undefined {
    const versions = [...this.entries.keys()].sort((a, b) => b - a);
    return versions.map((version) => this.entries.get(version)!).find((entry) => entry.status.state === 'AVAILABLE');
  }

  private async reconcile(): Promise<void> {
    const { basePath, versionPolicy } = this.config;
    const aspired = aspiredVersions(versionPolicy, await this.source.list());
    if (aspired.length === 0 && !this.warnedEmpty) {
      this.logger.warn('no versions found under the base path', { model: this.name, base_path: basePath });
    }
    this.warnedEmpty = aspired.length === 0;
    // Oldest first, so that with latest:N the newest version ends up loaded last and serving.
    for (const version of [...aspired].reverse()) {
      const entry = this.entries.get(version);
      const serving = entry && (entry.status.state === 'AVAILABLE' || entry.status.state === 'LOADING');
      if (serving || (entry && entry.attempts >= MAX_LOAD_ATTEMPTS)) continue;
      await this.load(version, entry?.attempts ?? 0);
    }
    // Availability first: nothing is unloaded until an aspired version serves (unless none is aspired).
    const aspiredServing = aspired.some((version) => this.entries.get(version)?.status.state === 'AVAILABLE');
    if (!aspiredServing && aspired.length > 0) return;
    const stale = [...this.entries.entries()].filter(([version, entry]) => !aspired.includes(version) && entry.loaded);
    await Promise.all(stale.map(([version]) => this.unload(version)));
  }

  private async load(version: number, attempts: number): Promise<void> {
    // A download that fails is the store's failure, not the version's: it does not count as a load
    // attempt, and the poll that hit it ends here (one log line), to retry at the next.
    const dir = await this.source.open(version);
    const entry: Entry = {
      status: { version, state: 'LOADING', errorCode: 'OK', errorMessage: '' },
      leases: 0,
      attempts: attempts + 1,
    };
    this.entries.set(version, entry);
    this.logger.info('loading version', { model: this.name, version, path: dir });
    const started = performance.now();
    let loaded: LoadedVersion | undefined;
    try {
      loaded = await LoadedVersion.load(this.name, version, dir);
      const warmup = replayWarmup(loaded);
      entry.loaded = loaded;
      entry.attempts = 0;
      entry.status.state = 'AVAILABLE';
      this.events?.available(loaded);
      this.logger.info('version available', {
        model: this.name,
        version,
        load_ms: Math.round(performance.now() - started),
        warmup_requests: warmup,
      });
    } catch (error) {
      loaded?.dispose();
      this.source.close(version);
      const message = error instanceof Error ? error.message : String(error);
      entry.status = { version, state: 'END', errorCode: 'UNKNOWN', errorMessage: message };
      this.logger.error('version failed to load', {
        model: this.name,
        version,
        attempt: entry.attempts,
        error: message,
      });
    }
  }

  private async unload(version: number): Promise<void> {
    const entry = this.entries.get(version);
    if (!entry?.loaded || entry.status.state === 'UNLOADING') return;
    entry.status.state = 'UNLOADING';
    this.logger.info('unloading version', { model: this.name, version, in_flight: entry.leases });
    if (entry.leases > 0) await new Promise<void>((resolve) => (entry.drained = resolve));
    const loaded = entry.loaded;
    entry.loaded = undefined;
    loaded.dispose();
    this.source.close(version);
    entry.status.state = 'END';
    this.events?.unloaded(loaded);
    this.logger.info('version unloaded', { model: this.name, version });
  }
}
