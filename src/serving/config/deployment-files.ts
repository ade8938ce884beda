/**
 * What runs real TensorFlow Serving on the generated config: `docker run` lines for the CPU and
 * GPU images, a docker-compose.yml, and Kubernetes manifests (a ConfigMap with the two config
 * files, a Deployment whose readiness probe asks /v1/models/NAME, and a Service for 8500/8501).
 * Inside the container the models live under /models/NAME and the config under /config.
 */
import path from 'node:path';
import YAML from 'yaml';

export const GRPC_PORT = 8500;
export const REST_PORT = 8501;
export const CONTAINER_CONFIG_DIR = '/config';
export const CONTAINER_MODELS_DIR = '/models';

export interface DeploymentOptions {
  /** Models by name with their base path on the host (absolute). */
  models: { name: string; hostBasePath: string }[];
  /** The directory the files are written to (absolute); docker-compose paths are relative to it. */
  outDir: string;
  image: string;
  imageTag: string;
  enableBatching: boolean;
  pollWaitSeconds: number;
  /** --model_config_file_poll_wait_seconds: how often TF Serving re-reads models.config (0: never, only at start). */
  configPollSeconds: number;
  replicas: number;
  /** Kubernetes: the PersistentVolumeClaim that holds the model directories (one subdirectory per model). */
  modelsClaim: string;
  appName: string;
  /** GPU variants: --per_process_gpu_memory_fraction, the share of the GPU's memory TF Serving takes (0 < F ≤ 1). */
  gpuMemoryFraction: number;
}

/** The notebook's `--per_process_gpu_memory_fraction=0.5`. */
export const DEFAULT_GPU_MEMORY_FRACTION = 0.5;

export function containerBasePath(modelName: string): string {
  return `${CONTAINER_MODELS_DIR}/${modelName}`;
}

/** tensorflow_model_server's own flags for the files in /config; `gpu` adds the GPU-only ones. */
export function modelServerArgs(
  options: Pick<DeploymentOptions, 'enableBatching' | 'pollWaitSeconds' | 'configPollSeconds' | 'gpuMemoryFraction'>,
  gpu = false,
): string[] {
  return [
    `--port=${GRPC_PORT}`,
    `--rest_api_port=${REST_PORT}`,
    `--model_config_file=${CONTAINER_CONFIG_DIR}/models.config`,
    ...(options.enableBatching
      ? ['--enable_batching=true', `--batching_parameters_file=${CONTAINER_CONFIG_DIR}/batching_parameters.txt`]
      : []),
    `--file_system_poll_wait_seconds=${options.pollWaitSeconds}`,
    // Without it TF Serving reads models.config once, so a moved label or pinned version needs a restart.
    ...(options.configPollSeconds > 0 ? [`--model_config_file_poll_wait_seconds=${options.configPollSeconds}`] : []),
    // Without it TF Serving's TensorFlow claims nearly all of the GPU's memory at start.
    ...(gpu ? [`--per_process_gpu_memory_fraction=${options.gpuMemoryFraction}`] : []),
  ];
}

export function dockerRunCommand(options: DeploymentOptions, gpu: boolean): string {
  const shellQuote = (text: string) => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);
  const mounts = [
    ...options.models.map(
      (model) => `type=bind,source=${model.hostBasePath},target=${containerBasePath(model.name)},readonly`,
    ),
    `type=bind,source=${options.outDir},target=${CONTAINER_CONFIG_DIR},readonly`,
  ];
  const parts = [
    'docker run --rm',
    ...(gpu ? ['--gpus all'] : []),
    `-p ${GRPC_PORT}:${GRPC_PORT} -p ${REST_PORT}:${REST_PORT}`,
    ...mounts.map((mount) => `--mount ${shellQuote(mount)}`),
    `${options.image}:${options.imageTag}${gpu ? '-gpu' : ''}`,
    ...modelServerArgs(options, gpu),
  ];
  return `${parts.join(' \\\n  ')}\n`;
}

export function dockerCompose(options: DeploymentOptions): string {
  const relative = (target: string) => {
    const rel = path.relative(options.outDir, target) || '.';
    return rel.startsWith('.') ? rel : `./${rel}`;
  };
  const document = {
    services: {
      [options.appName]: {
        image: `${options.image}:${options.imageTag}`,
        ports: [`${GRPC_PORT}:${GRPC_PORT}`, `${REST_PORT}:${REST_PORT}`],
        volumes: [
          ...options.models.map((model) => ({
            type: 'bind',
            source: relative(model.hostBasePath),
            target: containerBasePath(model.name),
            read_only: true,
          })),
          { type: 'bind', source: '.', target: CONTAINER_CONFIG_DIR, read_only: true },
        ],
        command: modelServerArgs(options),
        restart: 'unless-stopped',
      },
    },
  };
  return YAML.stringify(document, { aliasDuplicateObjects: false });
}

/** ConfigMap + Deployment + Service, as one multi-document YAML file. */
export function kubernetesManifests(
  options: DeploymentOptions,
  files: { modelsConfig: string; batchingParameters: string },
): string {
  const labels = { app: options.appName };
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${options.appName}-config`, labels },
    data: {
      'models.config': files.modelsConfig,
      ...(options.enableBatching && { 'batching_parameters.txt': files.batchingParameters }),
    },
  };
  const probeModel = options.models[0]!.name;
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
          containers: [
            {
              name: 'tensorflow-serving',
              image: `${options.image}:${options.imageTag}`,
              args: modelServerArgs(options),
              ports: [
                { name: 'grpc', containerPort: GRPC_PORT },
                { name: 'http', containerPort: REST_PORT },
              ],
              // TF Serving answers 404 here until the model has a version on its way in.
              readinessProbe: {
                httpGet: { path: `/v1/models/${probeModel}`, port: REST_PORT },
                initialDelaySeconds: 5,
                periodSeconds: 5,
              },
              livenessProbe: { tcpSocket: { port: REST_PORT }, initialDelaySeconds: 15, periodSeconds: 10 },
              volumeMounts: [
                { name: 'config', mountPath: CONTAINER_CONFIG_DIR, readOnly: true },
                { name: 'models', mountPath: CONTAINER_MODELS_DIR, readOnly: true },
              ],
            },
          ],
          volumes: [
            { name: 'config', configMap: { name: `${options.appName}-config` } },
            { name: 'models', persistentVolumeClaim: { claimName: options.modelsClaim, readOnly: true } },
          ],
        },
      },
    },
  };
  return [configMap, deployment, grpcAndRestService(options.appName, labels)]
    .map((doc) => YAML.stringify(doc, { aliasDuplicateObjects: false }))
    .join('---\n');
}

/** The Service in front of a pod's gRPC and REST ports (TF Serving's or the embedded server's). */
export function grpcAndRestService(name: string, labels: Record<string, string>) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels },
    spec: {
      selector: labels,
      ports: [
        { name: 'grpc', port: GRPC_PORT, targetPort: GRPC_PORT },
        { name: 'http', port: REST_PORT, targetPort: REST_PORT },
      ],
    },
  };
}
