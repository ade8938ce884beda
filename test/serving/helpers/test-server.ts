/** A ModelServer on 127.0.0.1 (random port) over exported versions, and a small JSON client. */
import type { BatchingParameters } from '../../../src/serving/batching/batcher.ts';
import { silentLogger, type Logger } from '../../../src/serving/monitoring/logger.ts';
import type { ModelConfig } from '../../../src/serving/lifecycle/model-server-config.ts';
import type { RequestLimits } from '../../../src/serving/servable/request-limits.ts';
import { ModelServer } from '../../../src/serving/servers/model-server.ts';

export interface TestServer {
  server: ModelServer;
  url: string;
}

export function modelConfig(basePath: string, overrides: Partial<ModelConfig> = {}): ModelConfig {
  return {
    name: 'mnist',
    basePath,
    platform: 'tensorflow',
    versionPolicy: { kind: 'latest', numVersions: 1 },
    versionLabels: {},
    ...overrides,
  };
}

export async function startServer(
  models: ModelConfig[],
  options: {
    batching?: BatchingParameters;
    limits?: RequestLimits;
    pollWaitSeconds?: number;
    maxBodyBytes?: number;
    logger?: Logger;
    modelCacheDir?: string;
  } = {},
): Promise<TestServer> {
  const server = await ModelServer.start({
    config: { models },
    batching: options.batching,
    limits: options.limits,
    pollWaitSeconds: options.pollWaitSeconds ?? 0,
    host: '127.0.0.1',
    restPort: 0,
    maxBodyBytes: options.maxBodyBytes,
    logger: options.logger ?? silentLogger,
    modelCacheDir: options.modelCacheDir,
  });
  return { server, url: `http://127.0.0.1:${server.restAddress.port}` };
}

export interface JsonAnswer {
  status: number;
  body: any;
  text: string;
}

export async function request(url: string, method = 'GET', body?: unknown): Promise<JsonAnswer> {
  const response = await fetch(url, {
    method,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed, text };
}
