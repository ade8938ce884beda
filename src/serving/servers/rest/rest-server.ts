/**
 * TF Serving's REST API on node:http (tensorflow_serving/model_servers/http_rest_api_handler.cc):
 *   GET  /v1/models/NAME[/versions/V|/labels/L]            model status
 *   GET  /v1/models/NAME[/versions/V|/labels/L]/metadata   signature defs
 *   POST /v1/models/NAME[/versions/V|/labels/L]:predict    row or columnar JSON
 *   GET  /monitoring/prometheus/metrics                     Prometheus text format
 *   GET  /healthz, /readyz                                  liveness and readiness probes (health.ts)
 *   /v2/…                                                   the Open Inference Protocol (v2/rest-routes.ts)
 * Errors are `{"error": "…"}` with TF Serving's status mapping; bodies over `maxBodyBytes` get 413.
 * `close()` drains: it stops accepting connections, lets in-flight requests finish, then closes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { asServingError, ServingError } from '../../serving-errors.ts';
import { parsePredictBody } from './json-fast-path.ts';
import { renderPredictResponse } from '../../predict/json-response.ts';
import type { Logger } from '../../monitoring/logger.ts';
import type { ServingApi, ServingMetrics } from '../../monitoring/metrics.ts';
import type { ModelSpecRequest, PredictionService } from '../../predict/prediction-service.ts';
import { modelMetadataJson, modelStatusJson } from './model-info-json.ts';
import { BodyTooLarge, decodePathSegment, httpStatusFor, readBody } from './http-common.ts';
import { InFlight } from '../in-flight.ts';
import { healthAnswer } from '../health.ts';
import { V2RestRoutes } from '../v2/rest-routes.ts';

export const METRICS_PATH = '/monitoring/prometheus/metrics';
/** 16 MiB: a full 1,024-image batch in the row format is about 5 MiB of JSON. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

const PREDICT_PATH = /^\/v1\/models\/([^/:]+)(?:\/versions\/(\d+)|\/labels\/([^/:]+))?:(classify|regress|predict)$/i;
const STATUS_PATH = /^\/v1\/models(?:\/([^/:]+))?(?:\/versions\/(\d+)|\/labels\/([^/:]+))?(?:\/(metadata))?$/i;

export interface RestServerOptions {
  service: PredictionService;
  metrics: ServingMetrics;
  logger: Logger;
  maxBodyBytes?: number;
}

export class RestServer {
  private readonly server: http.Server;
  private readonly inFlight = new InFlight();
  private draining = false;
  private readonly v2: V2RestRoutes;

  constructor(private readonly options: RestServerOptions) {
    this.v2 = new V2RestRoutes({ ...options, readBody: (req) => this.readBody(req) });
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 65_000;
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Stops accepting, waits up to `timeoutMs` for in-flight requests, then closes every connection. */
  async close(timeoutMs = 30_000): Promise<{ drained: boolean }> {
    this.draining = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const drained = await this.inFlight.drained(timeoutMs);
    this.server.closeAllConnections();
    await closed;
    return { drained };
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.inFlight.begin();
    res.once('close', () => this.inFlight.end());
    if (this.draining) res.setHeader('Connection', 'close');
    this.route(req, res).catch((error) => {
      this.options.logger.error('request failed unexpectedly', { path: req.url, error: String(error) });
      if (!res.headersSent) this.send(res, 500, { error: String(error) });
    });
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const method = req.method ?? 'GET';
    if (path === METRICS_PATH && method === 'GET') {
      let text: string;
      try {
        text = await this.options.metrics.text();
      } catch (error) {
        // With --workers the text comes from every worker through the primary, which can time out.
        this.send(res, 503, { error: `metrics unavailable: ${(error as Error).message}` });
        return;
      }
      res.writeHead(200, { 'Content-Type': this.options.metrics.contentType });
      res.end(text);
      return;
    }
    const health = healthAnswer(path, method, this.options.service.registry);
    if (health) {
      this.send(res, health.status, health.body);
      return;
    }
    if (path === '/v2' || path.startsWith('/v2/')) {
      await this.v2.route(req, res, path);
      return;
    }
    if (!/^\/v1\//i.test(path)) {
      this.send(res, 404, { error: `Not found: ${method} ${path}` });
      return;
    }
    const predict = method === 'POST' ? PREDICT_PATH.exec(path) : null;
    const status = method === 'GET' ? STATUS_PATH.exec(path) : null;
    if (predict) {
      await this.answer(
        res,
        predict[1],
        'predict',
        async (spec) => {
          if (predict[4]!.toLowerCase() !== 'predict') {
            throw new ServingError(
              'UNIMPLEMENTED',
              `${predict[4]} is not supported by the embedded server; use :predict`,
            );
          }
          const request = parsePredictBody(await this.readBody(req));
          const gone = () => res.destroyed || req.socket.destroyed;
          const result = await this.options.service.predict(
            { ...spec, signatureName: request.signatureName },
            (inputs, context) => request.tensors(inputs, context.limits),
            [],
            gone,
          );
          return renderPredictResponse(result.outputs, request.format);
        },
        predict[2],
        predict[3],
      );
    } else if (status) {
      const api: ServingApi = status[4] ? 'metadata' : 'status';
      await this.answer(
        res,
        status[1],
        api,
        async (spec) => {
          if (!spec.name) throw new ServingError('INVALID_ARGUMENT', 'Missing model name in request.');
          const body =
            api === 'metadata'
              ? modelMetadataJson(this.options.service.metadata(spec))
              : modelStatusJson(this.options.service.status(spec));
          return JSON.stringify(body, null, 1);
        },
        status[2],
        status[3],
      );
    } else {
      this.send(res, 400, { error: `Malformed request: ${method} ${path}` });
    }
  }

  /** Runs one API call, mapping ServingErrors to TF Serving's HTTP statuses and recording metrics. */
  private async answer(
    res: http.ServerResponse,
    rawName: string | undefined,
    api: ServingApi,
    call: (spec: ModelSpecRequest) => Promise<string>,
    version: string | undefined,
    label: string | undefined,
  ): Promise<void> {
    const name = decodePathSegment(rawName ?? '');
    const done = this.options.metrics.startRequest(
      'rest',
      this.options.service.registry.has(name) ? name : '(unknown)',
      api,
    );
    try {
      const spec: ModelSpecRequest = {
        name,
        version: version === undefined ? undefined : Number(version),
        versionLabel: label === undefined ? undefined : decodePathSegment(label),
      };
      const body = await call(spec);
      done('OK');
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(body);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        done('RESOURCE_EXHAUSTED');
        res.setHeader('Connection', 'close');
        this.send(res, 413, { error: error.message });
        return;
      }
      const failure = asServingError(error);
      done(failure.code);
      if (failure.code === 'INTERNAL')
        this.options.logger.error('internal error', { model: name, api, error: failure.message });
      this.send(res, httpStatusFor(failure.code), { error: failure.message });
    }
  }

  private readBody(req: http.IncomingMessage): Promise<Buffer> {
    return readBody(req, this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  }

  private send(res: http.ServerResponse, status: number, body: object): void {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}
