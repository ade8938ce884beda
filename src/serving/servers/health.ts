/**
 * Kubernetes-style probes on the REST port: GET /healthz answers 200 while the process serves
 * HTTP at all; GET /readyz answers 200 when every configured model has an AVAILABLE version, else
 * 503 with the reason (../lifecycle/readiness.ts, the same answer as the v2 protocol's /v2/health/ready).
 */
import type { ModelRegistry } from '../lifecycle/model-registry.ts';
import { serverReadiness } from '../lifecycle/readiness.ts';

export const HEALTHZ_PATH = '/healthz';
export const READYZ_PATH = '/readyz';

/** The probe's answer, or undefined when the request is not a probe. */
export function healthAnswer(
  path: string,
  method: string,
  registry: ModelRegistry,
): { status: number; body: object } | undefined {
  if ((path !== HEALTHZ_PATH && path !== READYZ_PATH) || (method !== 'GET' && method !== 'HEAD')) return undefined;
  if (path === HEALTHZ_PATH) return { status: 200, body: { status: 'ok' } };
  const readiness = serverReadiness(registry);
  return readiness.ready
    ? { status: 200, body: { status: 'ready' } }
    : { status: 503, body: { status: 'not ready', error: readiness.reason } };
}
