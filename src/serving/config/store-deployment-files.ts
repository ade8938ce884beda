/**
 * Deployment files for models whose base path is on an object store (s3://). TF Serving cannot
 * read s3:// any more, so it reads an emptyDir (Kubernetes) or a named volume (compose) that
 * `mnist-serve sync` fills: one init run per model with --once, so TF Serving starts with a
 * version, then one sidecar per model that keeps following the store. Credentials come from a
 * Secret (Kubernetes) or an env file (compose), never from the generated files; the endpoint
 * settings are plain environment values.
 */
import YAML from 'yaml';
import type { VersionPolicy } from '../lifecycle/model-server-config.ts';
import {
  CONTAINER_CONFIG_DIR,
  CONTAINER_MODELS_DIR,
  containerBasePath,
  GRPC_PORT,
  grpcAndRestService,
  modelServerArgs,
  REST_PORT,
  type DeploymentOptions,
} from './deployment-files.ts';

/** The two variables the Secret (or the env file) must hold. */
export const CREDENTIAL_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
/** Endpoint settings copied into the files as plain values (no secret in them). */
export const ENDPOINT_VARIABLES = [
  'AWS_ENDPOINT_URL_S3',
  'AWS_ENDPOINT_URL',
  'AWS_REGION',
  'MNIST_SERVE_S3_FORCE_PATH_STYLE',
] as const;
/** The compose env file the credentials are read from (written next to it as an example only). */
export const COMPOSE_ENV_FILE = 's3.env';

export interface StoreDeploymentOptions extends Omit<DeploymentOptions, 'models' | 'modelsClaim'> {
  /** Models by name with their s3:// base path. */
  models: { name: string; uri: string }[];
  versionPolicy: VersionPolicy;
  /** The mnist-serve image (built from the repository's Dockerfile) for sync and the embedded server. */
  mnistServeImage: string;
  /** The Kubernetes Secret holding AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. */
  s3Secret: string;
  /** Seconds between a sync sidecar's passes over the store. */
  syncPollSeconds: number;
  /** Values of ENDPOINT_VARIABLES to write into the files (those that are set). */
  endpoint: Partial<Record<(typeof ENDPOINT_VARIABLES)[number], string>>;
}

/** The `--policy` text `sync` parses. */
export function policyFlag(policy: VersionPolicy): string {
  if (policy.kind === 'all') return 'all';
  if (policy.kind === 'latest') return `latest:${policy.numVersions}`;
  return `specific:${policy.versions.join(',')}`;
}

/** Kubernetes object and container names are DNS labels: lowercase letters, digits and '-'. */
export function dnsLabel(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63) || 'model'
  );
}

function syncArgs(options: StoreDeploymentOptions, model: { name: string; uri: string }, once: boolean): string[] {
  return [
    'sync',
    '--from',
    model.uri,
    '--to',
    containerBasePath(model.name),
    '--policy',
    policyFlag(options.versionPolicy),
    ...(once ? ['--once'] : ['--poll-wait-seconds', String(options.syncPollSeconds)]),
  ];
}

const stringify = (document: unknown) => YAML.stringify(document, { aliasDuplicateObjects: false });

/** Kubernetes env entries: the endpoint as values, the credentials as secretKeyRef. */
export function kubernetesStoreEnv(options: StoreDeploymentOptions): object[] {
  return [
    ...Object.entries(options.endpoint).map(([name, value]) => ({ name, value })),
    ...CREDENTIAL_VARIABLES.map((name) => ({
      name,
      valueFrom: { secretKeyRef: { name: options.s3Secret, key: name } },
    })),
  ];
}

/** docker-compose.yml: a `models` volume filled by sync (--once first, then the sidecar), read by TF Serving. */
export function storeDockerCompose(options: StoreDeploymentOptions): string {
  const syncService = (model: { name: string; uri: string }, once: boolean) => ({
    image: options.mnistServeImage,
    command: syncArgs(options, model, once),
    env_file: [COMPOSE_ENV_FILE],
    environment: { ...options.endpoint },
    volumes: [{ type: 'volume', source: 'models', target: CONTAINER_MODELS_DIR }],
    // The --once run keeps compose's default (never restarted); the sidecar follows it.
    ...(!once && {
      restart: 'unless-stopped',
      depends_on: { [`sync-${dnsLabel(model.name)}-once`]: { condition: 'service_completed_successfully' } },
    }),
  });
  const services: Record<string, unknown> = {};
  for (const model of options.models) {
    services[`sync-${dnsLabel(model.name)}-once`] = syncService(model, true);
    services[`sync-${dnsLabel(model.name)}`] = syncService(model, false);
  }
  services[options.appName] = {
    image: `${options.image}:${options.imageTag}`,
    ports: [`${GRPC_PORT}:${GRPC_PORT}`, `${REST_PORT}:${REST_PORT}`],
    volumes: [
      { type: 'volume', source: 'models', target: CONTAINER_MODELS_DIR, read_only: true },
      { type: 'bind', source: '.', target: CONTAINER_CONFIG_DIR, read_only: true },
    ],
    command: modelServerArgs(options),
    restart: 'unless-stopped',
    // TF Serving starts only once every model has a version on the volume.
    depends_on: Object.fromEntries(
      options.models.map((model) => [
        `sync-${dnsLabel(model.name)}-once`,
        { condition: 'service_completed_successfully' },
      ]),
    ),
  };
  return stringify({ services, volumes: { models: {} } });
}

/**
 * The example env file compose reads the credentials from (the real one is the user's, never
 * generated with values).
 */
export function composeEnvExample(): string {
  return [
    `# Copy to ${COMPOSE_ENV_FILE} and fill in; keep it out of version control.`,
    ...CREDENTIAL_VARIABLES.map((name) => `${name}=`),
    '',
  ].join('\n');
}

/** ConfigMap + Deployment (sync init containers, TF Serving, sync sidecars on one emptyDir) + Service. */
export function storeKubernetesManifests(
  options: StoreDeploymentOptions,
  files: { modelsConfig: string; batchingParameters: string },
): string {
  const labels = { app: options.appName };
  const env = kubernetesStoreEnv(options);
  const modelsMount = { name: 'models', mountPath: CONTAINER_MODELS_DIR };
  const syncContainer = (model: { name: string; uri: string }, once: boolean) => ({
    name: `sync-${dnsLabel(model.name)}${once ? '-once' : ''}`,
    image: options.mnistServeImage,
    args: syncArgs(options, model, once),
    env,
    volumeMounts: [modelsMount],
  });
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${options.appName}-config`, labels },
    data: {
      'models.config': files.modelsConfig,
      ...(options.enableBatching && { 'batching_parameters.txt': files.batchingParameters }),
    },
  };
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: options.appName, labels },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          // Each pod fills its own copy; TF Serving starts only after every model has a version.
          initContainers: options.models.map((model) => syncContainer(model, true)),
          containers: [
            {
              name: 'tensorflow-serving',
              image: `${options.image}:${options.imageTag}`,
              args: modelServerArgs(options),
              ports: [
                { name: 'grpc', containerPort: GRPC_PORT },
                { name: 'http', containerPort: REST_PORT },
              ],
              readinessProbe: {
                httpGet: { path: `/v1/models/${options.models[0]!.name}`, port: REST_PORT },
                initialDelaySeconds: 5,
                periodSeconds: 5,
              },
              livenessProbe: { tcpSocket: { port: REST_PORT }, initialDelaySeconds: 15, periodSeconds: 10 },
              volumeMounts: [
                { name: 'config', mountPath: CONTAINER_CONFIG_DIR, readOnly: true },
                { ...modelsMount, readOnly: true },
              ],
            },
            ...options.models.map((model) => syncContainer(model, false)),
          ],
          volumes: [
            { name: 'config', configMap: { name: `${options.appName}-config` } },
            { name: 'models', emptyDir: {} },
          ],
        },
      },
    },
  };
  return [configMap, deployment, grpcAndRestService(options.appName, labels)].map(stringify).join('---\n');
}
