/**
 * What the server serves, in the terms of TF Serving's ModelServerConfig: models by name, each with
 * a base path of integer version directories, a version policy and version labels.
 */
export type VersionPolicy =
  | { kind: 'latest'; numVersions: number }
  | { kind: 'specific'; versions: number[] }
  | { kind: 'all' };

export interface ModelConfig {
  name: string;
  basePath: string;
  /** Always "tensorflow" here; kept because TF Serving's config names it. */
  platform: string;
  versionPolicy: VersionPolicy;
  /** label → version, e.g. { stable: 2, canary: 3 }. */
  versionLabels: Record<string, number>;
}

export interface ServingConfig {
  models: ModelConfig[];
}

/** TF Serving's default policy: serve the newest version only. */
export const DEFAULT_VERSION_POLICY: VersionPolicy = { kind: 'latest', numVersions: 1 };

/** The versions a policy keeps, out of those present on disk (any order in, descending out). */
export function aspiredVersions(policy: VersionPolicy, onDisk: number[]): number[] {
  const descending = [...onDisk].sort((a, b) => b - a);
  if (policy.kind === 'latest') return descending.slice(0, policy.numVersions);
  if (policy.kind === 'specific') return descending.filter((version) => policy.versions.includes(version));
  return descending;
}
