/**
 * Two more ways to serve models from an object store, each as one YAML file:
 * - the embedded server (`mnist-serve serve`) reading s3:// base paths itself, probed on
 *   GET /readyz (every model has an AVAILABLE version) and GET /healthz (the process answers);
 * - a KServe InferenceService per model (TensorFlow predictor with storageUri). KServe's storage
 *   initializer downloads the model once at pod start: a new version needs a new rollout.
 */
import YAML from 'yaml';
import { CONTAINER_CONFIG_DIR, GRPC_PORT, grpcAndRestService, REST_PORT } from './deployment-files.ts';
import { dnsLabel, kubernetesStoreEnv, type StoreDeploymentOptions } from './store-deployment-files.ts';

/**
 * The embedded server's probe paths (servers/health.ts, a later layer than config/, serves them;
 * test/e2e/store-deploy-files.test.ts probes a real server with the ones written here).
 */
const READINESS_PATH = '/readyz';
const LIVENESS_PATH = '/healthz';

/** Name and label of the embedded server's Kubernetes objects. */
export const EMBEDDED_SERVER_APP = 'mnist-serve';
/** Where the embedded server's pod downloads versions before loading them (an emptyDir). */
export const CONTAINER_CACHE_DIR = '/cache';

const stringify = (document: unknown) => YAML.stringify(document, { aliasDuplicateObjects: false });

/** `mnist-serve serve`'s arguments inside the container, on the same ports TF Serving would use. */
export function embeddedServerArgs(options: StoreDeploymentOptions): string[] {
  return [
    'serve',
    '--host',
    '0.0.0.0',
    '--port',
    String(GRPC_PORT),
    '--rest-api-port',
    String(REST_PORT),
    '--model-config-file',
    `${CONTAINER_CONFIG_DIR}/models.config`,
    '--model-cache-dir',
    CONTAINER_CACHE_DIR,
    '--file-system-poll-wait-seconds',
    String(options.syncPollSeconds),
    ...(options.enableBatching
      ? ['--enable-batching', '--batching-parameters-file', `${CONTAINER_CONFIG_DIR}/batching_parameters.txt`]
      : []),
  ];
}

/**
 * ConfigMap (models.config with the s3:// base paths) + Deployment + Service for the embedded
 * server. `files.modelsConfig` must name the store URIs, not /models/NAME.
 */
export function embeddedServerManifests(
  options: StoreDeploymentOptions,
  files: { modelsConfig: string; batchingParameters: string },
): string {
  const labels = { app: EMBEDDED_SERVER_APP };
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${EMBEDDED_SERVER_APP}-config`, labels },
    data: {
      'models.config': files.modelsConfig,
      ...(options.enableBatching && { 'batching_parameters.txt': files.batchingParameters }),
    },
  };
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: EMBEDDED_SERVER_APP, labels },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: EMBEDDED_SERVER_APP,
              image: options.mnistServeImage,
              args: embeddedServerArgs(options),
              env: kubernetesStoreEnv(options),
              ports: [
                { name: 'grpc', containerPort: GRPC_PORT },
                { name: 'http', containerPort: REST_PORT },
              ],
              // Unlike TF Serving's /v1/models/NAME, /readyz fails until every model has a loaded version.
              readinessProbe: {
                httpGet: { path: READINESS_PATH, port: REST_PORT },
                initialDelaySeconds: 5,
                periodSeconds: 5,
              },
              livenessProbe: {
                httpGet: { path: LIVENESS_PATH, port: REST_PORT },
                initialDelaySeconds: 15,
                periodSeconds: 10,
              },
              volumeMounts: [
                { name: 'config', mountPath: CONTAINER_CONFIG_DIR, readOnly: true },
                { name: 'cache', mountPath: CONTAINER_CACHE_DIR },
              ],
            },
          ],
          volumes: [
            { name: 'config', configMap: { name: `${EMBEDDED_SERVER_APP}-config` } },
            { name: 'cache', emptyDir: {} },
          ],
        },
      },
    },
  };
  return [configMap, deployment, grpcAndRestService(EMBEDDED_SERVER_APP, labels)].map(stringify).join('---\n');
}

/** One InferenceService per model; its service account carries the Secret KServe's storage initializer reads. */
export function kserveInferenceServices(options: StoreDeploymentOptions): string {
  const serviceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: `${dnsLabel(options.s3Secret)}-sa` },
    secrets: [{ name: options.s3Secret }],
  };
  const services = options.models.map((model) => ({
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: { name: dnsLabel(model.name) },
    spec: {
      predictor: {
        serviceAccountName: serviceAccount.metadata.name,
        tensorflow: { storageUri: model.uri, runtimeVersion: options.imageTag },
      },
    },
  }));
  return [serviceAccount, ...services].map(stringify).join('---\n');
}
