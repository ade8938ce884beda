/**
 * A client for TF Serving's gRPC API (this server's or TensorFlow Serving's own), built from the
 * same .proto files as the server: promise-returning Predict, GetModelMetadata and
 * GetModelStatus over one channel. Failures keep the gRPC code and message (`ServiceError`).
 */
import * as grpc from '@grpc/grpc-js';
import {
  MODEL_SERVICE,
  PREDICTION_SERVICE,
  serviceDefinition,
  type GetModelMetadataRequest,
  type GetModelMetadataResponse__Output,
  type GetModelStatusRequest,
  type GetModelStatusResponse__Output,
  type PredictRequest,
  type PredictResponse__Output,
} from '../apis/protos.ts';

type UnaryMethod = (
  request: unknown,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response?: unknown) => void,
) => void;

export interface ServingClientOptions {
  /** Per-call deadline; default 30 s. */
  timeoutMs?: number;
  /** Largest response accepted; default unlimited (TF Serving's own limit is INT_MAX). */
  maxReceiveBytes?: number;
}

export class ServingClient {
  private readonly prediction: grpc.Client;
  private readonly model: grpc.Client;

  /** `address` is HOST:PORT (IPv6 hosts in brackets). */
  constructor(
    readonly address: string,
    private readonly options: ServingClientOptions = {},
  ) {
    const PredictionService = grpc.makeGenericClientConstructor(
      serviceDefinition(PREDICTION_SERVICE),
      PREDICTION_SERVICE,
    );
    const ModelService = grpc.makeGenericClientConstructor(serviceDefinition(MODEL_SERVICE), MODEL_SERVICE);
    const channelOptions = { 'grpc.max_receive_message_length': options.maxReceiveBytes ?? -1 };
    this.prediction = new PredictionService(address, grpc.credentials.createInsecure(), channelOptions);
    this.model = new ModelService(address, grpc.credentials.createInsecure(), {
      ...channelOptions,
      channelOverride: this.prediction.getChannel(),
    });
  }

  predict(request: PredictRequest): Promise<PredictResponse__Output> {
    return this.call(this.prediction, 'Predict', request);
  }

  getModelMetadata(request: GetModelMetadataRequest): Promise<GetModelMetadataResponse__Output> {
    return this.call(this.prediction, 'GetModelMetadata', request);
  }

  getModelStatus(request: GetModelStatusRequest): Promise<GetModelStatusResponse__Output> {
    return this.call(this.model, 'GetModelStatus', request);
  }

  close(): void {
    this.model.close();
    this.prediction.close();
  }

  private call<Res>(client: grpc.Client, method: string, request: object): Promise<Res> {
    const invoke = (client as unknown as Record<string, UnaryMethod>)[method]!.bind(client);
    const deadline = new Date(Date.now() + (this.options.timeoutMs ?? 30_000));
    return new Promise((resolve, reject) => {
      invoke(request, new grpc.Metadata(), { deadline }, (error, response) =>
        error ? reject(error) : resolve(response as Res),
      );
    });
  }
}

export function isServiceError(error: unknown): error is grpc.ServiceError {
  return error instanceof Error && typeof (error as grpc.ServiceError).code === 'number' && 'details' in error;
}
