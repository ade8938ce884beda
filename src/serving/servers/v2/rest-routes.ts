/**
 * The Open Inference Protocol's REST endpoints, beside TF Serving's /v1 on the same port:
 *   GET  /v2                                           server metadata
 *   GET  /v2/health/live, /v2/health/ready             liveness, readiness (lifecycle/readiness.ts)
 *   GET  /v2/models/NAME[/versions/V]                  model metadata
 *   GET  /v2/models/NAME[/versions/V]/ready            model readiness
 *   POST /v2/models/NAME[/versions/V]/infer            inference (rest-codec.ts)
 * Failures are `{"error": "…"}` with the status the ServingError's code maps to (as for /v1:
 * 400, 404, 503, …; 413 for a body over the limit). Not ready is 503 with `"ready": false`.
 */
import type http from 'node:http';
import { asServingError } from '../../serving-errors.ts';
import { BodyTooLarge, decodePathSegment, httpStatusFor } from '../rest/http-common.ts';
import type { Logger } from '../../monitoring/logger.ts';
import type { ServingApi, ServingMetrics } from '../../monitoring/metrics.ts';
import type { PredictionService } from '../../predict/prediction-service.ts';
import { serverReadiness } from '../../lifecycle/readiness.ts';
import { infer, modelMetadata, modelReadiness, serverMetadata } from './inference.ts';
import { HEADER_LENGTH_HEADER, parseInferBody, renderInferResponse } from './rest-codec.ts';

const MODEL_PATH = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(?:\/(ready|infer))?$/;
const SERVER_PATHS = new Set(['/v2', '/v2/health/live', '/v2/health/ready']);

export interface V2RestOptions {
  service: PredictionService;
  metrics: ServingMetrics;
  logger: Logger;
  readBody(req: http.IncomingMessage): Promise<Buffer>;
}

interface Answer {
  status: number;
  body: Buffer | string;
  headers?: Record<string, string | number>;
}

const json = (status: number, body: object): Answer => ({ status, body: JSON.stringify(body) });

export class V2RestRoutes {
  constructor(private readonly options: V2RestOptions) {}

  /** Answers a request whose path starts with /v2. */
  async route(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    const answer = await this.answer(req, path, req.method ?? 'GET');
    res.writeHead(answer.status, {
      'Content-Type':
        answer.headers?.[HEADER_LENGTH_HEADER] === undefined ? 'application/json' : 'application/octet-stream',
      ...answer.headers,
    });
    res.end(answer.body);
  }

  private async answer(req: http.IncomingMessage, path: string, method: string): Promise<Answer> {
    const { service } = this.options;
    const model = MODEL_PATH.exec(path);
    const expected = model?.[3] === 'infer' ? 'POST' : 'GET';
    if (!model && !SERVER_PATHS.has(path)) return json(404, { error: `Not found: ${method} ${path}` });
    if (method !== expected)
      return {
        ...json(405, { error: `${method} is not allowed on ${path}; use ${expected}` }),
        headers: { Allow: expected },
      };
    if (path === '/v2') return json(200, serverMetadata());
    if (path === '/v2/health/live') return json(200, { live: true });
    if (path === '/v2/health/ready') {
      const readiness = serverReadiness(service.registry);
      return readiness.ready ? json(200, { ready: true }) : json(503, { ready: false, error: readiness.reason });
    }
    const name = decodePathSegment(model![1]!);
    const version = model![2] === undefined ? '' : decodePathSegment(model![2]);
    if (model![3] === 'infer') {
      return this.measured(name, 'v2_infer', async () => {
        const parsed = parseInferBody(await this.options.readBody(req), header(req, HEADER_LENGTH_HEADER));
        const result = await infer(service, {
          ...parsed.request,
          modelName: name,
          modelVersion: version,
          isCancelled: () => req.socket.destroyed,
        });
        const { body, headerLength } = renderInferResponse(result, parsed.binaryOutput);
        return {
          status: 200,
          body,
          ...(headerLength !== undefined && { headers: { [HEADER_LENGTH_HEADER]: headerLength } }),
        };
      });
    }
    if (model![3] === 'ready') {
      return this.measured(name, 'v2_ready', async () => {
        const readiness = modelReadiness(service, name, version);
        return readiness.ready
          ? json(200, { name, ready: true })
          : json(503, { name, ready: false, error: readiness.reason });
      });
    }
    return this.measured(name, 'v2_metadata', async () => json(200, modelMetadata(service, name, version)));
  }

  /** Runs one model call, recording it in the shared metrics and mapping its error to a status. */
  private async measured(name: string, api: ServingApi, call: () => Promise<Answer>): Promise<Answer> {
    const { metrics, service, logger } = this.options;
    const done = metrics.startRequest('rest', service.registry.has(name) ? name : '(unknown)', api);
    try {
      const answer = await call();
      done('OK');
      return answer;
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        done('RESOURCE_EXHAUSTED');
        return { ...json(413, { error: error.message }), headers: { Connection: 'close' } };
      }
      const failure = asServingError(error);
      done(failure.code);
      if (failure.code === 'INTERNAL') logger.error('internal error', { model: name, api, error: failure.message });
      return json(httpStatusFor(failure.code), { error: failure.message });
    }
  }
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
