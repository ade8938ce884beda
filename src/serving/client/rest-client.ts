/**
 * A client for TF Serving's REST API (ours or TensorFlow Serving itself): which version a model
 * selector resolves to (from /metadata) and row-format predictions for 28×28 images. A 4xx
 * answer (unknown model, version, label, bad input) is the caller's input error; an unreachable
 * server or a 5xx is an operational failure.
 */
import { OperationalError, UserInputError } from '../../errors.ts';
import { IMAGE_SIZE } from './mnist-image.ts';

export interface ModelTarget {
  server: string;
  model: string;
  version?: number;
  label?: string;
  signatureName?: string;
}

const TIMEOUT_MS = 30_000;

export function modelUrl(target: ModelTarget): string {
  const base = target.server.replace(/\/+$/, '');
  const selector =
    target.version !== undefined
      ? `/versions/${target.version}`
      : target.label !== undefined
        ? `/labels/${encodeURIComponent(target.label)}`
        : '';
  return `${base}/v1/models/${encodeURIComponent(target.model)}${selector}`;
}

async function call(url: string, init: RequestInit = {}): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new OperationalError(
      `cannot reach the server at ${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
    );
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new OperationalError(
      `${url} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`,
    );
  }
  if (!response.ok) {
    const message = (body as { error?: string }).error ?? text.slice(0, 200);
    const ErrorType = response.status >= 400 && response.status < 500 ? UserInputError : OperationalError;
    throw new ErrorType(`${url}: ${response.status}: ${message}`);
  }
  return body;
}

/** The version the target resolves to right now, as the server's metadata reports it. */
export async function resolveVersion(target: ModelTarget): Promise<number> {
  const url = `${modelUrl(target)}/metadata`;
  const body = (await call(url)) as { model_spec?: { version?: string } };
  return servedVersion(body.model_spec?.version, url);
}

/** A version number from a server's metadata; a server that names none is answering something else. */
export function servedVersion(value: unknown, where: string): number {
  const version = Number(value);
  if (value === undefined || value === null || value === '' || !Number.isSafeInteger(version)) {
    throw new OperationalError(
      `${where}: the metadata names no model version (got ${JSON.stringify(value) ?? 'nothing'})`,
    );
  }
  return version;
}

/** One `{output: value}` object per image (the row format's answer, normalised to objects). */
export async function predictImages(target: ModelTarget, images: Float32Array[]): Promise<Record<string, unknown>[]> {
  const instances = images.map((pixels) =>
    Array.from({ length: IMAGE_SIZE }, (_, y) =>
      Array.from({ length: IMAGE_SIZE }, (_, x) => [pixels[y * IMAGE_SIZE + x]!]),
    ),
  );
  const request = { ...(target.signatureName && { signature_name: target.signatureName }), instances };
  const body = (await call(`${modelUrl(target)}:predict`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(request),
  })) as { predictions?: unknown[] };
  if (!Array.isArray(body.predictions) || body.predictions.length !== images.length) {
    throw new OperationalError(
      `${modelUrl(target)}:predict: expected ${images.length} predictions, got ${JSON.stringify(body).slice(0, 200)}`,
    );
  }
  // A signature with one output answers plain values; name it after the signature's only output.
  return body.predictions.map((prediction) =>
    prediction !== null && typeof prediction === 'object' && !Array.isArray(prediction)
      ? (prediction as Record<string, unknown>)
      : { output: prediction },
  );
}
