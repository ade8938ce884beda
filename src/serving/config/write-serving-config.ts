/**
 * `serving-config`: writes, into one directory, everything real TF Serving needs for the models:
 * models.config, batching_parameters.txt, docker-run.sh / docker-run-gpu.sh, docker-compose.yml and
 * kubernetes.yaml. Models on an object store (s3://) get, instead of the docker-run scripts, files
 * where `mnist-serve sync` fills TF Serving's volume (store-deployment-files.ts), plus manifests
 * for the embedded server and KServe (store-server-manifests.ts). Each file is written
 * atomically; the result lists them.
 */
import path from 'node:path';
import { UserInputError } from '../../errors.ts';
import { isS3Uri, parseS3Uri } from '../../storage/s3-location.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import type { BatchingParameters } from '../batching/batcher.ts';
import type { ServingConfig, VersionPolicy } from '../lifecycle/model-server-config.ts';
import { checkBatchingParameters, formatBatchingParameters } from './batching-parameters.ts';
import {
  containerBasePath,
  dockerCompose,
  dockerRunCommand,
  kubernetesManifests,
  type DeploymentOptions,
} from './deployment-files.ts';
import { formatModelsConfig } from './models-config-file.ts';
import {
  composeEnvExample,
  COMPOSE_ENV_FILE,
  storeDockerCompose,
  storeKubernetesManifests,
  type StoreDeploymentOptions,
} from './store-deployment-files.ts';
import { embeddedServerManifests, kserveInferenceServices } from './store-server-manifests.ts';

export interface ServingConfigRequest
  extends Omit<DeploymentOptions, 'models' | 'outDir'>,
    Pick<StoreDeploymentOptions, 'mnistServeImage' | 's3Secret' | 'syncPollSeconds' | 'endpoint'> {
  outDir: string;
  /** Base paths are local directories or s3:// URIs (all of one kind). */
  models: { name: string; basePath: string }[];
  versionPolicy: VersionPolicy;
  versionLabels: Record<string, number>;
  batching: BatchingParameters;
  /** Write host paths into models.config (for the embedded server or a native TF Serving) instead of /models/NAME. */
  hostPaths: boolean;
}

export interface WrittenServingConfig {
  outDir: string;
  config: ServingConfig;
  /** Local base paths: dockerRun and dockerRunGpu; store base paths: kserve, embeddedServer, s3EnvExample. */
  files: Partial<Record<FileKey, string>> &
    Record<'modelsConfig' | 'batchingParameters' | 'dockerCompose' | 'kubernetes', string>;
}

type FileKey =
  | 'modelsConfig'
  | 'batchingParameters'
  | 'dockerRun'
  | 'dockerRunGpu'
  | 'dockerCompose'
  | 'kubernetes'
  | 'kserve'
  | 'embeddedServer'
  | 's3EnvExample';

export function writeServingConfig(request: ServingConfigRequest): WrittenServingConfig {
  checkBatchingParameters(request.batching, 'batching');
  if (!(request.gpuMemoryFraction > 0 && request.gpuMemoryFraction <= 1)) {
    throw new UserInputError(
      `the GPU memory fraction must be greater than 0 and at most 1, got ${request.gpuMemoryFraction}`,
    );
  }
  const outDir = path.resolve(request.outDir);
  const onStore = request.models.filter((model) => isS3Uri(model.basePath));
  if (onStore.length > 0 && onStore.length < request.models.length) {
    const local = request.models.find((model) => !isS3Uri(model.basePath))!;
    throw new UserInputError(
      `models: ${onStore[0]!.name} is on an object store and ${local.name} is a local path; ` +
        'write the files for each kind into its own directory',
    );
  }
  for (const model of onStore) parseS3Uri(model.basePath);
  const sources = request.models.map((model) => ({
    name: model.name,
    source: isS3Uri(model.basePath) ? model.basePath : path.resolve(model.basePath),
  }));
  const configFor = (basePath: (model: { name: string; source: string }) => string): ServingConfig => ({
    models: sources.map((model) => ({
      name: model.name,
      basePath: basePath(model),
      platform: 'tensorflow',
      versionPolicy: request.versionPolicy,
      versionLabels: request.versionLabels,
    })),
  });
  const config = configFor((model) => (request.hostPaths ? model.source : containerBasePath(model.name)));
  const modelsConfig = formatModelsConfig(config);
  const batchingParameters = formatBatchingParameters(request.batching);
  const contents: Partial<Record<FileKey, readonly [string, string]>> = {
    modelsConfig: ['models.config', modelsConfig],
    batchingParameters: ['batching_parameters.txt', batchingParameters],
  };
  if (onStore.length > 0) {
    const store: StoreDeploymentOptions = {
      ...request,
      outDir,
      models: sources.map((model) => ({ name: model.name, uri: model.source })),
    };
    // The embedded server reads the store itself, so its models.config names the URIs.
    const storeModelsConfig = formatModelsConfig(configFor((model) => model.source));
    Object.assign(contents, {
      dockerCompose: ['docker-compose.yml', storeDockerCompose(store)],
      s3EnvExample: [`${COMPOSE_ENV_FILE}.example`, composeEnvExample()],
      kubernetes: ['kubernetes.yaml', storeKubernetesManifests(store, { modelsConfig, batchingParameters })],
      embeddedServer: [
        'mnist-serve.yaml',
        embeddedServerManifests(store, { modelsConfig: storeModelsConfig, batchingParameters }),
      ],
      kserve: ['kserve.yaml', kserveInferenceServices(store)],
    });
  } else {
    const deployment: DeploymentOptions = {
      ...request,
      models: sources.map((model) => ({ name: model.name, hostBasePath: model.source })),
      outDir,
    };
    Object.assign(contents, {
      dockerRun: ['docker-run.sh', `#!/bin/sh\n${dockerRunCommand(deployment, false)}`],
      dockerRunGpu: ['docker-run-gpu.sh', `#!/bin/sh\n${dockerRunCommand(deployment, true)}`],
      dockerCompose: ['docker-compose.yml', dockerCompose(deployment)],
      kubernetes: ['kubernetes.yaml', kubernetesManifests(deployment, { modelsConfig, batchingParameters })],
    });
  }
  const files = {} as WrittenServingConfig['files'];
  for (const [key, [name, text]] of Object.entries(contents) as [FileKey, readonly [string, string]][]) {
    const file = path.join(outDir, name);
    // Scripts are executable from the moment they appear.
    writeFileAtomic(file, text, name.endsWith('.sh') ? { mode: 0o755 } : {});
    files[key] = file;
  }
  return { outDir, config, files };
}
