/**
 * Every model the server serves, by name, each with its VersionManager; applies a (re)loaded
 * ServingConfig and polls the base paths every `pollWaitSeconds` (0: once at start, as
 * tensorflow_model_server's --file_system_poll_wait_seconds=0 does).
 */
import { notFound } from '../serving-errors.ts';
import type { Logger } from '../monitoring/logger.ts';
import type { ModelConfig, ServingConfig } from './model-server-config.ts';
import type { VersionSource } from './version-source.ts';
import {
  VersionManager,
  type VersionEvents,
  type VersionLease,
  type VersionSelector,
  type VersionStatus,
} from './version-manager.ts';

export class ModelRegistry {
  private readonly managers = new Map<string, VersionManager>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly logger: Logger,
    private readonly sourceFor: (basePath: string) => VersionSource,
    private readonly events?: VersionEvents,
  ) {}

  private manager(model: ModelConfig): VersionManager {
    return new VersionManager(model, this.sourceFor(model.basePath), this.logger, this.events);
  }

  /**
   * Adds new models, updates the policy and labels of kept ones, and unloads removed ones; then
   * polls once, so the call returns with the new config's versions loaded (or failed).
   */
  async applyConfig(config: ServingConfig): Promise<void> {
    const names = new Set(config.models.map((model) => model.name));
    const removed = [...this.managers.values()].filter((manager) => !names.has(manager.name));
    for (const manager of removed) this.managers.delete(manager.name);
    const moved: { model: ModelConfig; old: VersionManager }[] = [];
    for (const model of config.models) {
      const existing = this.managers.get(model.name);
      if (!existing) this.managers.set(model.name, this.manager(model));
      else if (existing.basePath === model.basePath) existing.updateConfig(model);
      else moved.push({ model, old: existing });
    }
    this.logger.info('config applied', {
      models: config.models.map((model) => model.name),
      removed: removed.map((manager) => manager.name),
    });
    await Promise.all([
      ...removed.map((manager) => manager.unloadAll()),
      this.pollAll(),
      ...moved.map(({ model, old }) => this.move(model, old)),
    ]);
  }

  /** A model whose base path changed: the new path's versions load while the old ones still serve. */
  private async move(model: ModelConfig, old: VersionManager): Promise<void> {
    const fresh = this.manager(model);
    await fresh.poll();
    this.managers.set(model.name, fresh);
    await old.unloadAll();
  }

  /** Polls every `seconds` until `stop()`; the first poll happens `seconds` from now. */
  startPolling(seconds: number): void {
    if (seconds <= 0) return;
    const tick = () => {
      this.timer = setTimeout(async () => {
        await this.pollAll();
        if (!this.stopped) tick();
      }, seconds * 1000);
    };
    tick();
  }

  pollAll(): Promise<void> {
    return Promise.all([...this.managers.values()].map((manager) => manager.poll())).then(() => undefined);
  }

  has(name: string): boolean {
    return this.managers.has(name);
  }

  /** The configured models' names, in config order. */
  modelNames(): string[] {
    return [...this.managers.keys()];
  }

  acquire(name: string, selector: VersionSelector): VersionLease {
    const manager = this.managers.get(name);
    if (!manager) {
      const request = selector.version !== undefined ? `Specific(${name}, ${selector.version})` : `Latest(${name})`;
      throw notFound(`Servable not found for request: ${request}`);
    }
    return manager.acquire(selector);
  }

  /** Every version the model's manager has known, newest first ([] for an unknown model). */
  statusesOf(name: string): VersionStatus[] {
    return this.managers.get(name)?.statuses() ?? [];
  }

  /** GetModelStatus: all versions, or the one a number or label names. */
  status(name: string, selector: VersionSelector): VersionStatus[] {
    const manager = this.managers.get(name);
    const statuses = manager?.statuses() ?? [];
    if (statuses.length === 0) throw notFound(`Could not find any versions of model ${name}`);
    const version = selector.label !== undefined ? manager!.resolveLabel(selector.label) : selector.version;
    if (version === undefined) return statuses;
    const match = statuses.filter((status) => status.version === version);
    if (match.length === 0) throw notFound(`Could not find version ${version} of model ${name}`);
    return match;
  }

  /** Stops polling and unloads every model once its in-flight requests are done. */
  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.all([...this.managers.values()].map((manager) => manager.unloadAll()));
  }
}
