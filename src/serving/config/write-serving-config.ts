/**
 * `serving-config`: writes, into one directory, everything real TF Serving needs for the models:
 * models.config, batching_parameters.txt, docker-run.sh / docker-run-gpu.sh, docker-compose.yml and
 * kubernetes.yaml. Each file is written atomically; the result lists them.
 */
import path from 'node:path';
import { UserInputError } from '../../errors.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import type { BatchingParameters } from '../batching/batcher.ts';
import type { ServingConfig, VersionPolicy } from '../lifecycle/model-server-config.ts';
import { checkBatchingParameters, formatBatchingParameters } from './batching-parameters.ts';
import { containerBasePath, dockerCompose, dockerRunCommand, kubernetesManifests, type DeploymentOptions } from './deployment-files.ts';
import { formatModelsConfig } from './models-config-file.ts';

export interface ServingConfigRequest extends Omit<DeploymentOptions, 'models' | 'outDir'> {
  outDir: string;
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
  files: Record<'modelsConfig' | 'batchingParameters' | 'dockerRun' | 'dockerRunGpu' | 'dockerCompose' | 'kubernetes', string>;
}

export function writeServingConfig(request: ServingConfigRequest): WrittenServingConfig {
  checkBatchingParameters(request.batching, 'batching');
  if (!(request.gpuMemoryFraction > 0 && request.gpuMemoryFraction <= 1)) {
    throw new UserInputError(`the GPU memory fraction must be greater than 0 and at most 1, got ${request.gpuMemoryFraction}`);
  }
  const outDir = path.resolve(request.outDir);
  const models = request.models.map((model) => ({ name: model.name, hostBasePath: path.resolve(model.basePath) }));
  const config: ServingConfig = {
    models: models.map((model) => ({
      name: model.name,
      basePath: request.hostPaths ? model.hostBasePath : containerBasePath(model.name),
      platform: 'tensorflow',
      versionPolicy: request.versionPolicy,
      versionLabels: request.versionLabels,
    })),
  };
  const deployment: DeploymentOptions = { ...request, models, outDir };
  const modelsConfig = formatModelsConfig(config);
  const batchingParameters = formatBatchingParameters(request.batching);
  const contents = {
    modelsConfig: ['models.config', modelsConfig],
    batchingParameters: ['batching_parameters.txt', batchingParameters],
    dockerRun: ['docker-run.sh', `#!/bin/sh\n${dockerRunCommand(deployment, false)}`],
    dockerRunGpu: ['docker-run-gpu.sh', `#!/bin/sh\n${dockerRunCommand(deployment, true)}`],
    dockerCompose: ['docker-compose.yml', dockerCompose(deployment)],
    kubernetes: ['kubernetes.yaml', kubernetesManifests(deployment, { modelsConfig, batchingParameters })],
  } as const;
  const files = {} as WrittenServingConfig['files'];
  for (const [key, [name, text]] of Object.entries(contents) as [keyof typeof contents, readonly [string, string]][]) {
    const file = path.join(outDir, name);
    // Scripts are executable from the moment they appear.
    writeFileAtomic(file, text, name.endsWith('.sh') ? { mode: 0o755 } : {});
    files[key] = file;
  }
  return { outDir, config, files };
}
