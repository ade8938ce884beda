/**
 * Whether the server is ready for traffic: every configured model has an AVAILABLE version. One
 * answer for every probe that asks (GET /readyz, the Open Inference Protocol's
 * /v2/health/ready and gRPC ServerReady), so a load balancer and a Triton client never disagree.
 * TF Serving has no such endpoint, and /v1/models/NAME answers 200 whatever the versions' states.
 */
import type { ModelRegistry } from './model-registry.ts';
import type { VersionStatus } from './version-manager.ts';

export interface Readiness {
  ready: boolean;
  /** Why not, naming each model that is not ready (absent when ready). */
  reason?: string;
}

export function serverReadiness(registry: ModelRegistry): Readiness {
  const problems = registry
    .modelNames()
    .map((name) => modelProblem(name, registry.statusesOf(name)))
    .filter((problem) => problem !== undefined);
  return problems.length === 0 ? { ready: true } : { ready: false, reason: problems.join('; ') };
}

function modelProblem(name: string, statuses: VersionStatus[]): string | undefined {
  if (statuses.some((status) => status.state === 'AVAILABLE')) return undefined;
  if (statuses.length === 0) return `model ${name} has no versions under its base path yet`;
  const described = statuses.map(
    (status) => `${status.version} ${status.state}${status.errorMessage ? ` (${status.errorMessage})` : ''}`,
  );
  return `model ${name} has no AVAILABLE version (versions: ${described.join(', ')})`;
}
