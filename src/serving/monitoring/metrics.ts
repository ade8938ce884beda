/**
 * Prometheus metrics (prom-client, in a registry of the server's own so several servers in one
 * process — tests — never share counters), served at /monitoring/prometheus/metrics as TF Serving
 * serves its own. Transport-independent: REST and gRPC record into the same metrics.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** TF Serving's APIs, then the Open Inference Protocol's (src/serving/servers/v2) on the same transports. */
export type ServingApi = 'predict' | 'status' | 'metadata' | 'v2_infer' | 'v2_metadata' | 'v2_ready';

export class ServingMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'mnist_serve_requests_total',
    help: 'Requests answered, by transport, model, API and status code (OK or the canonical error code).',
    labelNames: ['transport', 'model', 'api', 'code'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'mnist_serve_request_latency_seconds',
    help: 'Time from a request being read to its answer being ready.',
    labelNames: ['transport', 'model', 'api'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly batchSize = new Histogram({
    name: 'mnist_serve_batch_size',
    help: 'Rows per engine call when batching is on.',
    labelNames: ['model'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    registers: [this.registry],
  });
  private readonly queueDepth = new Gauge({
    name: 'mnist_serve_batch_queue_depth',
    help: 'Batches waiting to run (the open one included).',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });
  private readonly loadedVersions = new Gauge({
    name: 'mnist_serve_loaded_versions',
    help: 'Model versions loaded in memory (AVAILABLE or UNLOADING); with --workers, the most any worker holds.',
    labelNames: ['model'] as const,
    registers: [this.registry],
    aggregator: 'max',
  });
  private readonly storeErrors = new Counter({
    name: 'mnist_serve_storage_errors_total',
    help:
      'Polls of a base path, or downloads of a version from a store, ' +
      'that failed (each is retried at the next poll).',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });
  private aggregated: (() => Promise<string>) | undefined;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'mnist_serve_' });
  }

  /** Starts timing a request; the returned function records it with its final status code. */
  startRequest(transport: string, model: string, api: ServingApi): (code: string) => void {
    const stop = this.latency.startTimer({ transport, model, api });
    return (code) => {
      stop();
      this.requests.inc({ transport, model, api, code });
    };
  }

  batchRan(model: string, rows: number): void {
    this.batchSize.observe({ model }, rows);
  }

  queueDepthChanged(model: string, delta: number): void {
    this.queueDepth.inc({ model }, delta);
  }

  versionLoaded(model: string, delta: 1 | -1): void {
    this.loadedVersions.inc({ model }, delta);
  }

  storeFailed(model: string): void {
    this.storeErrors.inc({ model });
  }

  /** Requests this server (this process) answered, every transport, API and code together. */
  async requestsAnswered(): Promise<number> {
    return (await this.requests.get()).values.reduce((sum, sample) => sum + sample.value, 0);
  }

  /** Serves `source`'s text instead of this registry's: every worker's metrics, aggregated. */
  aggregateWith(source: () => Promise<string>): void {
    this.aggregated = source;
  }

  text(): Promise<string> {
    return this.aggregated ? this.aggregated() : this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
