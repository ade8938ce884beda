/**
 * TF Serving's gRPC API on @grpc/grpc-js: tensorflow.serving.PredictionService (Predict,
 * GetModelMetadata) and tensorflow.serving.ModelService (GetModelStatus), and beside them the Open
 * Inference Protocol's inference.GRPCInferenceService (../v2/grpc-service.ts), over the same
 * PredictionService core, batchers and metrics as the REST server. Requests larger than
 * `maxMessageBytes` fail with RESOURCE_EXHAUSTED (gRPC's own size check). `close()` drains: new
 * calls get UNAVAILABLE, in-flight ones finish (up to a timeout), then connections close.
 */
import { inspect } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { asServingError } from '../../serving-errors.ts';
import type { Logger } from '../../monitoring/logger.ts';
import type { ServingApi, ServingMetrics } from '../../monitoring/metrics.ts';
import type { PredictionService } from '../../predict/prediction-service.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../rest/rest-server.ts';
import { getModelMetadata, getModelStatus, predict } from './tf-serving-handlers.ts';
import { MODEL_SERVICE, PREDICTION_SERVICE, serviceDefinition, type ModelSpec__Output } from '../../apis/protos.ts';
import { grpcCodeFor, grpcMessage } from '../../apis/status-codes.ts';
import { InFlight } from '../in-flight.ts';
import {
  INFERENCE_SERVICE_NAME,
  inferenceMethods,
  type ModelInferRequest__Output,
  type ModelNameMessage,
} from '../v2/grpc-service.ts';

export const SHUTTING_DOWN_MESSAGE = 'the server is shutting down; retry on another replica';

/** How long connections get to close by themselves after the drain before they are cut. */
const CLOSE_GRACE_MS = 1000;

export interface GrpcServerOptions {
  service: PredictionService;
  metrics: ServingMetrics;
  logger: Logger;
  /** Largest request accepted; the REST body limit by default (a 1,024-image float_val batch is about 3.3 MB). */
  maxMessageBytes?: number;
}

export interface GrpcAddress {
  host: string;
  port: number;
}

/** `isCancelled`: whether the client has gone (cancelled the call, or its deadline has passed). */
type Handler<Req, Res> = (request: Req, isCancelled: () => boolean) => Res | Promise<Res>;

/**
 * Sends @grpc/grpc-js's own log lines (it prints "E …" lines to stderr by default, e.g. for a port
 * it cannot bind) through `logger`, so stderr holds only JSON log lines and the one error line.
 * grpc-js has one logger per process: the last call wins.
 */
export function routeGrpcLogs(logger: Logger): void {
  const line = (parts: unknown[]) => parts.map((part) => (typeof part === 'string' ? part : inspect(part))).join(' ');
  grpc.setLogger({
    error: (...parts: unknown[]) => logger.error('grpc-js', { message: line(parts) }),
    info: (...parts: unknown[]) => logger.info('grpc-js', { message: line(parts) }),
    debug: () => {},
  });
}

export class GrpcServer {
  private readonly server: grpc.Server;
  private readonly inFlight = new InFlight();
  private draining = false;
  private bound: GrpcAddress | undefined;

  constructor(private readonly options: GrpcServerOptions) {
    this.server = new grpc.Server({
      'grpc.max_receive_message_length': options.maxMessageBytes ?? DEFAULT_MAX_BODY_BYTES,
      'grpc.max_send_message_length': -1,
    });
    const service = options.service;
    this.server.addService(serviceDefinition(PREDICTION_SERVICE), {
      Predict: this.unary('predict', (request, isCancelled) => predict(service, request, isCancelled)),
      GetModelMetadata: this.unary('metadata', (request) => getModelMetadata(service, request)),
    });
    this.server.addService(serviceDefinition(MODEL_SERVICE), {
      GetModelStatus: this.unary('status', (request) => getModelStatus(service, request)),
    });
    const v2 = inferenceMethods(service);
    const modelNamed = (request: ModelNameMessage) => request.name ?? '';
    this.server.addService(serviceDefinition(INFERENCE_SERVICE_NAME), {
      ServerLive: this.unary(undefined, v2.ServerLive),
      ServerReady: this.unary(undefined, v2.ServerReady),
      ServerMetadata: this.unary(undefined, v2.ServerMetadata),
      ModelReady: this.unary('v2_ready', v2.ModelReady, modelNamed),
      ModelMetadata: this.unary('v2_metadata', v2.ModelMetadata, modelNamed),
      ModelInfer: this.unary(
        'v2_infer',
        v2.ModelInfer,
        (request: ModelInferRequest__Output) => request.model_name ?? '',
      ),
    });
  }

  /** Binds host:port (0 picks a free port) and starts serving. */
  listen(port: number, host: string): Promise<GrpcAddress> {
    const target = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    return new Promise((resolve, reject) => {
      this.server.bindAsync(target, grpc.ServerCredentials.createInsecure(), (error, boundPort) => {
        if (error) {
          // grpc-js wraps the socket error ("No address added … errors: [listen EADDRINUSE: …]"):
          // name its code as the REST server does, so both ports fail alike.
          const code = /\blisten (E[A-Z]+)\b/.exec(error.message)?.[1];
          reject(
            new Error(
              code ? `gRPC cannot listen on ${target} (${code})` : `gRPC cannot listen on ${target}: ${error.message}`,
            ),
          );
          return;
        }
        this.bound = { host, port: boundPort };
        resolve(this.bound);
      });
    });
  }

  get address(): GrpcAddress {
    return this.bound!;
  }

  /** Answers new calls UNAVAILABLE, waits up to `timeoutMs` for in-flight ones, then shuts down. */
  async close(timeoutMs = 30_000): Promise<{ drained: boolean }> {
    this.draining = true;
    const drained = await this.inFlight.drained(timeoutMs);
    await new Promise<void>((resolve) => {
      const force = setTimeout(
        () => {
          this.server.forceShutdown();
          resolve();
        },
        drained ? CLOSE_GRACE_MS : 0,
      );
      force.unref();
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    return { drained };
  }

  /**
   * One unary method: metrics (for a model API: `api` given), the drain, and ServingError → gRPC
   * status. The model is named in TF Serving's model_spec unless `modelOf` says where.
   */
  private unary<Req, Res>(
    api: ServingApi | undefined,
    handler: Handler<Req, Res>,
    modelOf: (request: Req) => string = (request) =>
      (request as { model_spec?: ModelSpec__Output | null }).model_spec?.name ?? '',
  ): grpc.handleUnaryCall<Req, Res> {
    return (call, callback) => {
      const name = modelOf(call.request);
      const measured =
        api &&
        this.options.metrics.startRequest('grpc', this.options.service.registry.has(name) ? name : '(unknown)', api);
      const done = (code: string) => measured?.(code);
      if (this.draining) {
        done('UNAVAILABLE');
        callback({ code: grpc.status.UNAVAILABLE, details: SHUTTING_DOWN_MESSAGE });
        return;
      }
      this.inFlight.begin();
      // grpc-js ends a call at its deadline from a timer, which may not have run yet: compare too.
      const deadline = Number(call.getDeadline());
      const isCancelled = () => call.cancelled || Date.now() >= deadline;
      Promise.resolve()
        .then(() => handler(call.request, isCancelled))
        .then(
          (response) => {
            done('OK');
            callback(null, response);
          },
          (error: unknown) => {
            const failure = asServingError(error);
            done(failure.code);
            if (failure.code === 'INTERNAL')
              this.options.logger.error('internal error', {
                transport: 'grpc',
                model: name,
                api,
                error: failure.message,
              });
            callback({ code: grpcCodeFor(failure.code), details: grpcMessage(failure.message) });
          },
        )
        .finally(() => this.inFlight.end());
    };
  }
}
