/**
 * ModelRegistry on its own, without TensorFlow: real base-path directories whose versions have no
 * saved_model.pb fail before the engine would load, which is enough to see what the registry does
 * with models, configs, lookups, polling and store failures. Loading real versions is covered by
 * hot-swap.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../../src/serving/lifecycle/model-registry.ts';
import { DEFAULT_VERSION_POLICY, type ModelConfig } from '../../../src/serving/lifecycle/model-server-config.ts';
import { versionSourceFor } from '../../../src/serving/lifecycle/version-source.ts';
import { jsonLogger } from '../../../src/serving/monitoring/logger.ts';
import { ServingError } from '../../../src/serving/serving-errors.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const registries: ModelRegistry[] = [];

afterEach(async () => {
  await Promise.all(registries.splice(0).map((registry) => registry.close()));
});

/** A base path holding the given version directories, each without a SavedModel (so each fails to load). */
function basePath(...versions: number[]): string {
  const dir = tempDir('registry');
  for (const version of versions) fs.mkdirSync(path.join(dir, String(version)));
  return dir;
}

function model(name: string, base: string, extra: Partial<ModelConfig> = {}): ModelConfig {
  return {
    name,
    basePath: base,
    platform: 'tensorflow',
    versionPolicy: DEFAULT_VERSION_POLICY,
    versionLabels: {},
    ...extra,
  };
}

function newRegistry(storeFailures: string[] = []) {
  const logs: Record<string, unknown>[] = [];
  const logger = jsonLogger((line) => logs.push(JSON.parse(line) as Record<string, unknown>), 'info');
  const registry = new ModelRegistry(
    logger,
    (base) =>
      versionSourceFor(base, () => {
        throw new Error('a local base path needs no cache');
      }),
    {
      available: () => {},
      unloaded: () => {},
      storeFailed: (name) => storeFailures.push(name),
    },
  );
  registries.push(registry);
  return { registry, logs };
}

function servingError(call: () => unknown): ServingError {
  try {
    call();
  } catch (error) {
    if (error instanceof ServingError) return error;
    throw error;
  }
  throw new Error('expected a ServingError');
}

async function eventually(condition: () => boolean): Promise<void> {
  for (let tries = 0; !condition(); tries++) {
    if (tries > 200) throw new Error('condition not met after 200 polls');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('ModelRegistry', () => {
  it(
    "answers a request for an unknown model with TF Serving's " + 'NOT_FOUND wording for latest and specific versions',
    () => {
      const { registry } = newRegistry();
      expect(servingError(() => registry.acquire('digits', {}))).toMatchObject({
        code: 'NOT_FOUND',
        message: 'Servable not found for request: Latest(digits)',
      });
      expect(servingError(() => registry.acquire('digits', { version: 3 }))).toMatchObject({
        code: 'NOT_FOUND',
        message: 'Servable not found for request: Specific(digits, 3)',
      });
      expect(servingError(() => registry.status('digits', {}))).toMatchObject({
        code: 'NOT_FOUND',
        message: 'Could not find any versions of model digits',
      });
      expect(registry.statusesOf('digits')).toEqual([]);
    },
  );

  it('lists the configured models in config order and forgets the ones a new config removes', async () => {
    const { registry, logs } = newRegistry();
    await registry.applyConfig({ models: [model('b', basePath()), model('a', basePath())] });
    expect(registry.modelNames()).toEqual(['b', 'a']);
    await registry.applyConfig({ models: [model('a', basePath())] });
    expect(registry.modelNames()).toEqual(['a']);
    expect(registry.has('b')).toBe(false);
    expect(logs.filter((line) => line.msg === 'config applied').map((line) => line.removed)).toEqual([[], ['b']]);
  });

  it(
    'reports a version that failed to load as END with UNKNOWN and the reason, ' + 'and serves nothing from it',
    async () => {
      const base = basePath(4);
      const { registry } = newRegistry();
      await registry.applyConfig({ models: [model('digits', base)] });
      const [status] = registry.status('digits', {});
      expect(status).toMatchObject({ version: 4, state: 'END', errorCode: 'UNKNOWN' });
      expect(status!.errorMessage).toContain(path.join(base, '4'));
      expect(servingError(() => registry.acquire('digits', {}))).toMatchObject({
        code: 'NOT_FOUND',
        message: 'Servable not found for request: Latest(digits)',
      });
    },
  );

  it('looks up a status by version number or label, naming what it could not find', async () => {
    const { registry } = newRegistry();
    await registry.applyConfig({
      models: [model('digits', basePath(1, 2), { versionPolicy: { kind: 'all' }, versionLabels: { stable: 1 } })],
    });
    expect(registry.status('digits', {}).map((status) => status.version)).toEqual([2, 1]);
    expect(registry.status('digits', { version: 2 }).map((status) => status.version)).toEqual([2]);
    expect(registry.status('digits', { label: 'stable' }).map((status) => status.version)).toEqual([1]);
    expect(servingError(() => registry.status('digits', { version: 9 }))).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Could not find version 9 of model digits',
    });
    expect(servingError(() => registry.status('digits', { label: 'canary' }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'Unrecognized servable version label: canary',
    });
  });

  it("takes a model's versions from its new base path when a config moves it", async () => {
    const { registry } = newRegistry();
    await registry.applyConfig({ models: [model('digits', basePath(1))] });
    await registry.applyConfig({ models: [model('digits', basePath(7))] });
    expect(registry.statusesOf('digits').map((status) => status.version)).toEqual([7]);
  });

  it('finds versions that appear after start-up by polling, and stops polling on close', async () => {
    const base = basePath();
    const { registry } = newRegistry();
    await registry.applyConfig({ models: [model('digits', base)] });
    expect(registry.statusesOf('digits')).toEqual([]);
    registry.startPolling(0.02);
    fs.mkdirSync(path.join(base, '3'));
    await eventually(() => registry.statusesOf('digits').some((status) => status.version === 3));
    await registry.close();
    fs.mkdirSync(path.join(base, '5'));
    // Ten poll intervals: a registry still polling would have seen version 5 by then.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(registry.statusesOf('digits').map((status) => status.version)).toEqual([3]);
  });

  it('counts a base path that cannot be listed as a store failure of that model and keeps the others', async () => {
    const notADirectory = path.join(basePath(), 'file');
    fs.writeFileSync(notADirectory, '');
    const failures: string[] = [];
    const { registry, logs } = newRegistry(failures);
    await registry.applyConfig({ models: [model('broken', notADirectory), model('digits', basePath(1))] });
    expect(failures).toEqual(['broken']);
    expect(logs.find((line) => line.msg === 'cannot poll the base path')).toMatchObject({
      level: 'error',
      model: 'broken',
      base_path: notADirectory,
    });
    expect(registry.statusesOf('digits').map((status) => status.version)).toEqual([1]);
  });
});
