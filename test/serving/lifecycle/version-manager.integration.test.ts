/**
 * The version manager on its own, over real exported versions and the real engine: which versions
 * a policy serves, the order of a swap (the successor serves before its predecessor is unloaded),
 * unloading that waits for requests in flight, and what a failed load or poll leaves behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { jsonLogger } from '../../../src/serving/monitoring/logger.ts';
import { DEFAULT_VERSION_POLICY, type ModelConfig } from '../../../src/serving/lifecycle/model-server-config.ts';
import { VersionManager, type VersionEvents } from '../../../src/serving/lifecycle/version-manager.ts';
import { versionSourceFor } from '../../../src/serving/lifecycle/version-source.ts';
import { exportVersion, sampleImage, tempDir } from '../helpers/export-version.ts';

/** Versions 1–3, exported once; each test copies the ones it needs into its own base path. */
let exported: string;

beforeAll(async () => {
  exported = tempDir('versions-exported');
  for (const version of [1, 2, 3]) await exportVersion(exported, version);
}, 300_000);

function basePathWith(versions: number[]): string {
  const base = tempDir('versions');
  for (const version of versions) addVersion(base, version);
  return base;
}

function addVersion(base: string, version: number): void {
  fs.cpSync(path.join(exported, String(version)), path.join(base, String(version)), { recursive: true });
}

/** A manager whose log lines and events are kept, in order, as `msg version` strings. */
function manager(basePath: string, overrides: Partial<ModelConfig> = {}) {
  const log: { msg: string; version?: number; level: string }[] = [];
  const events: string[] = [];
  const logger = jsonLogger((line) => log.push(JSON.parse(line) as { msg: string; version?: number; level: string }));
  const recorder: VersionEvents = {
    available: (loaded) => events.push(`available ${loaded.version}`),
    unloaded: (loaded) => events.push(`unloaded ${loaded.version}`),
    storeFailed: (model) => events.push(`store failed ${model}`),
  };
  const config: ModelConfig = {
    name: 'mnist',
    basePath,
    platform: 'tensorflow',
    versionPolicy: DEFAULT_VERSION_POLICY,
    versionLabels: {},
    ...overrides,
  };
  const versions = new VersionManager(
    config,
    versionSourceFor(basePath, () => tempDir('versions-cache')),
    logger,
    recorder,
  );
  const lifecycle = () =>
    log
      .filter(({ msg }) => /^(loading version|version available|unloading version|version unloaded)$/.test(msg))
      .map(({ msg, version }) => `${msg} ${version}`);
  return { versions, log, events, lifecycle };
}

const image = {
  image: { dtype: 'DT_FLOAT' as const, shape: [1, 28, 28, 1], values: Float32Array.from(sampleImage(0).flat(2)) },
};
const states = (versions: VersionManager) => versions.statuses().map(({ version, state }) => `${version} ${state}`);

describe('VersionManager', () => {
  it('serves only the newest version under latest:1, and a version the policy does not want is NOT_FOUND', async () => {
    const { versions } = manager(basePathWith([1, 2, 3]));
    await versions.poll();
    expect(states(versions)).toEqual(['3 AVAILABLE']);
    const lease = versions.acquire({});
    expect(lease.loaded.version).toBe(3);
    lease.release();
    expect(() => versions.acquire({ version: 2 })).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND', message: 'Servable not found for request: Specific(mnist, 2)' }),
    );
    await versions.unloadAll();
    expect(states(versions)).toEqual(['3 END']);
  });

  it('serves the specific versions listed, by number or label; an unknown label is INVALID_ARGUMENT', async () => {
    const { versions } = manager(basePathWith([1, 2, 3]), {
      versionPolicy: { kind: 'specific', versions: [1, 3] },
      versionLabels: { stable: 1, canary: 3 },
    });
    await versions.poll();
    expect(states(versions)).toEqual(['3 AVAILABLE', '1 AVAILABLE']);
    for (const [selector, version] of [
      [{}, 3],
      [{ version: 1 }, 1],
      [{ label: 'stable' }, 1],
      [{ label: 'canary' }, 3],
    ] as const) {
      const lease = versions.acquire(selector);
      expect(lease.loaded.version, JSON.stringify(selector)).toBe(version);
      lease.release();
    }
    expect(() => versions.acquire({ label: 'nightly' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'Unrecognized servable version label: nightly' }),
    );
    await versions.unloadAll();
  });

  it('loads oldest first under latest:2, so the newest serves unpinned requests', async () => {
    const { versions, lifecycle } = manager(basePathWith([1, 2, 3]), {
      versionPolicy: { kind: 'latest', numVersions: 2 },
    });
    await versions.poll();
    expect(lifecycle()).toEqual([
      'loading version 2',
      'version available 2',
      'loading version 3',
      'version available 3',
    ]);
    const lease = versions.acquire({});
    expect(lease.loaded.version).toBe(3);
    lease.release();
    await versions.unloadAll();
  });

  it('makes a new version available before it unloads the one it replaces', async () => {
    const base = basePathWith([1]);
    const { versions, events, lifecycle } = manager(base);
    await versions.poll();
    addVersion(base, 2);
    await versions.poll();
    expect(lifecycle()).toEqual([
      'loading version 1',
      'version available 1',
      'loading version 2',
      'version available 2',
      'unloading version 1',
      'version unloaded 1',
    ]);
    expect(events).toEqual(['available 1', 'available 2', 'unloaded 1']);
    expect(states(versions)).toEqual(['2 AVAILABLE', '1 END']);
    await versions.unloadAll();
  });

  it('frees a replaced version only when the last request running on it has finished', async () => {
    const base = basePathWith([1]);
    const { versions, events } = manager(base);
    await versions.poll();
    const inFlight = versions.acquire({});
    addVersion(base, 2);
    let pollDone = false;
    const polling = versions.poll().then(() => (pollDone = true));
    await vi.waitFor(() => expect(states(versions)).toEqual(['2 AVAILABLE', '1 UNLOADING']), { timeout: 60_000 });
    // New requests go to the successor; the one in flight still runs on version 1.
    const next = versions.acquire({});
    expect(next.loaded.version).toBe(2);
    next.release();
    expect(inFlight.loaded.run('serving_default', image).scores!.shape).toEqual([1, 10]);
    expect(pollDone).toBe(false);
    expect(events).toEqual(['available 1', 'available 2']);
    inFlight.release();
    await polling;
    expect(states(versions)).toEqual(['2 AVAILABLE', '1 END']);
    expect(() => inFlight.loaded.run('serving_default', image)).toThrow(
      expect.objectContaining({ code: 'UNAVAILABLE' }),
    );
    await versions.unloadAll();
  });

  it(
    'keeps serving the current version when its successor fails to load, ' + 'and stops retrying after 5 attempts',
    async () => {
      const base = basePathWith([1]);
      const { versions, log } = manager(base);
      await versions.poll();
      fs.mkdirSync(path.join(base, '2'));
      fs.writeFileSync(path.join(base, '2', 'saved_model.pb'), 'not a SavedModel');
      await versions.poll();
      const [broken, serving] = versions.statuses();
      expect(broken).toMatchObject({ version: 2, state: 'END', errorCode: 'UNKNOWN' });
      expect(broken!.errorMessage).not.toBe('');
      expect(serving).toMatchObject({ version: 1, state: 'AVAILABLE' });
      for (let poll = 0; poll < 6; poll++) await versions.poll();
      expect(log.filter(({ msg, version }) => msg === 'loading version' && version === 2)).toHaveLength(5);
      expect(log.filter(({ msg }) => msg === 'version failed to load')).toHaveLength(5);
      const lease = versions.acquire({});
      expect(lease.loaded.version).toBe(1);
      lease.release();
      await versions.unloadAll();
    },
  );

  it('reports a base path it cannot list as a store failure and recovers at the next poll', async () => {
    const base = path.join(tempDir('versions-unlistable'), 'models');
    fs.writeFileSync(base, 'a file where the base path should be a directory');
    const { versions, events, log } = manager(base);
    await versions.poll();
    expect(events).toEqual(['store failed mnist']);
    expect(log.filter(({ level }) => level === 'error').map(({ msg }) => msg)).toEqual(['cannot poll the base path']);
    fs.rmSync(base);
    fs.mkdirSync(base);
    await versions.poll();
    await versions.poll();
    expect(log.filter(({ msg }) => msg === 'no versions found under the base path')).toHaveLength(1);
    addVersion(base, 1);
    await versions.poll();
    expect(states(versions)).toEqual(['1 AVAILABLE']);
    await versions.unloadAll();
  });
});
