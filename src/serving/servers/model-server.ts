/**
 * The embedded model server: one ModelRegistry (versions, labels, polling), one PredictionService
 * (validation, batching), one ServingMetrics, and the REST transport on top. Other transports
 * (gRPC) take `service` and `metrics` from here, so every transport serves the same loaded
 * versions through the same batchers.
 */
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { field, fieldMessage, OperationalError } from '../../errors.ts';
import type { BatchingParameters } from '../batching/batcher.ts';
import type { Logger } from '../monitoring/logger.ts';
import { ServingMetrics } from '../monitoring/metrics.ts';
import type { ServingConfig } from '../lifecycle/model-server-config.ts';
import { ModelRegistry } from '../lifecycle/model-registry.ts';
import { PredictionService } from '../predict/prediction-service.ts';
import type { RequestLimits } from '../servable/request-limits.ts';
import { RestServer } from './rest/rest-server.ts';
import { defaultModelCacheRoot, serverCacheDir, versionSourceFor } from '../lifecycle/version-source.ts';

export interface ModelServerOptions {
  config: ServingConfig;
  /** Batching parameters, or undefined for one engine call per request. */
  batching?: BatchingParameters;
  /** Rows per request and in flight; PredictionService's defaults when undefined. */
  limits?: RequestLimits;
  /** Where versions from a store (s3://) are downloaded to; default: under the user cache, per server run. */
  modelCacheDir?: string;
  /** Seconds between polls of the base paths; 0 polls once at start. */
  pollWaitSeconds: number;
  host: string;
  /** 0 picks a free port. */
  restPort: number;
  maxBodyBytes?: number;
  logger: Logger;
  /** In a `--workers` worker: given this server's registry, fetches every worker's metrics. */
  clusterMetrics?: (registry: Registry) => () => Promise<string>;
}

export class ModelServer {
  readonly metrics = new ServingMetrics();
  readonly registry: ModelRegistry;
  readonly service: PredictionService;
  private readonly rest: RestServer;
  private restAddressInfo: AddressInfo | undefined;

  private constructor(private readonly options: ModelServerOptions) {
    let cacheDir = options.modelCacheDir;
    // Made (and old runs' caches cleaned) only when a model lives on a store.
    const cache = () => (cacheDir ??= serverCacheDir(defaultModelCacheRoot(), process.pid));
    this.registry = new ModelRegistry(options.logger, (basePath) => versionSourceFor(basePath, cache), {
      available: (loaded) => this.metrics.versionLoaded(loaded.modelName, 1),
      unloaded: (loaded) => this.metrics.versionLoaded(loaded.modelName, -1),
      storeFailed: (model) => this.metrics.storeFailed(model),
    });
    if (options.clusterMetrics) this.metrics.aggregateWith(options.clusterMetrics(this.metrics.registry));
    this.service = new PredictionService(this.registry, {
      batching: options.batching,
      metrics: this.metrics,
      limits: options.limits,
    });
    this.rest = new RestServer({
      service: this.service,
      metrics: this.metrics,
      logger: options.logger,
      maxBodyBytes: options.maxBodyBytes,
    });
  }

  /** Loads the config's models (as tensorflow_model_server does before it listens), then listens. */
  static async start(options: ModelServerOptions): Promise<ModelServer> {
    const server = new ModelServer(options);
    await server.registry.applyConfig(options.config);
    try {
      server.restAddressInfo = await server.rest.listen(options.restPort, options.host);
    } catch (error) {
      // A port in use (or privileged, or a host not on this machine) is the environment, not a bug;
      // the versions already loaded are unloaded so nothing keeps the process alive.
      await server.registry.close();
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      const address = `${options.host}:${options.restPort}`;
      throw new OperationalError(
        fieldMessage`${field('restPort', options.restPort)}: cannot listen on ${address} (${code})`,
      );
    }
    server.registry.startPolling(options.pollWaitSeconds);
    options.logger.info('REST API listening', {
      url: `http://${server.restAddressInfo.address}:${server.restAddressInfo.port}`,
      batching: options.batching ?? false,
      limits: server.service.limits,
    });
    return server;
  }

  get restAddress(): AddressInfo {
    return this.restAddressInfo!;
  }

  /** Applies a new config (SIGHUP): models added, removed, or given new policies and labels. */
  reload(config: ServingConfig): Promise<void> {
    return this.registry.applyConfig(config);
  }

  /** Stops accepting requests, lets in-flight ones finish (up to `drainTimeoutMs`), unloads every version. */
  async stop(drainTimeoutMs = 30_000): Promise<{ drained: boolean }> {
    const result = await this.rest.close(drainTimeoutMs);
    await this.registry.close();
    this.options.logger.info('server stopped', {
      drained: result.drained,
      requests: await this.metrics.requestsAnswered(),
    });
    return result;
  }
}
