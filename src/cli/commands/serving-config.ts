import { createRequire } from 'node:module';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_BASE_PATH } from '../../storage/versions.ts';
import { DEFAULT_BATCHING } from '../../serving/batching/batcher.ts';
import { DEFAULT_GPU_MEMORY_FRACTION } from '../../serving/config/deployment-files.ts';
import { ENDPOINT_VARIABLES } from '../../serving/config/store-deployment-files.ts';
import { writeServingConfig, type ServingConfigRequest } from '../../serving/config/write-serving-config.ts';
import type { VersionPolicy } from '../../serving/lifecycle/model-server-config.ts';
import { globalOptions, printResult, table } from '../output.ts';
import { collect, integer, positiveFraction } from '../parse-flags.ts';
import { runAction } from '../run-action.ts';

const { version } = createRequire(import.meta.url)('../../../package.json') as { version: string };

function parseModel(value: string): { name: string; basePath: string } {
  const match = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected NAME=BASE_PATH, e.g. mnist=models/serving/versions');
  return { name: match[1]!, basePath: match[2]! };
}

function parseLabel(value: string): [string, number] {
  const match = /^([A-Za-z0-9_-]+)=(\d+)$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected LABEL=VERSION, e.g. stable=2');
  return [match[1]!, Number(match[2])];
}

export function parsePolicy(value: string): VersionPolicy {
  if (value === 'all') return { kind: 'all' };
  const latest = /^latest(?::(\d+))?$/.exec(value);
  if (latest) {
    const numVersions = Number(latest[1] ?? 1);
    if (numVersions < 1) throw new InvalidArgumentError('latest:N needs N ≥ 1');
    return { kind: 'latest', numVersions };
  }
  const specific = /^specific:(\d+(?:,\d+)*)$/.exec(value);
  if (specific) return { kind: 'specific', versions: specific[1]!.split(',').map(Number) };
  throw new InvalidArgumentError('expected latest[:N], specific:V1,V2,… or all');
}

function parseSizes(value: string): number[] {
  if (!/^\d+(,\d+)*$/.test(value)) throw new InvalidArgumentError('expected increasing sizes like 8,32,128,1024');
  return value.split(',').map(Number);
}

interface Flags {
  out: string;
  model?: { name: string; basePath: string }[];
  policy: VersionPolicy;
  label?: [string, number][];
  maxBatchSize: number;
  batchTimeoutMicros: number;
  maxEnqueuedBatches: number;
  numBatchThreads: number;
  allowedBatchSizes?: number[];
  batching: boolean;
  pollWaitSeconds: number;
  configPollSeconds: number;
  image: string;
  imageTag: string;
  replicas: number;
  modelsClaim: string;
  appName: string;
  hostPaths: boolean;
  gpuMemoryFraction: number;
  mnistServeImage: string;
  s3Secret: string;
  syncPollSeconds: number;
}

/** Adds this command's options, subcommands and action to `command` (named and described by main.ts). */
export function register(servingConfig: Command): void {
  servingConfig
    .option('--out <dir>', 'directory to write the files into', 'serving')
    .option(
      '--model <name=path>',
      'a model and its base path, a directory or s3://bucket/prefix (repeat for several models)',
      collect(parseModel),
    )
    .addOption(
      new Option('--policy <policy>', 'version policy: latest[:N] | specific:V1,V2 | all')
        .argParser(parsePolicy)
        .default({ kind: 'latest', numVersions: 1 }, 'latest:1'),
    )
    .option(
      '--label <label=version>',
      'a version label, e.g. --label stable=2 --label canary=3 (repeatable)',
      collect(parseLabel),
    )
    .option('--max-batch-size <n>', 'batching: most rows per batch', integer(1), DEFAULT_BATCHING.maxBatchSize)
    .option(
      '--batch-timeout-micros <n>',
      'batching: longest wait for a batch to fill',
      integer(0),
      DEFAULT_BATCHING.batchTimeoutMicros,
    )
    .option(
      '--max-enqueued-batches <n>',
      'batching: queue bound (full queue: UNAVAILABLE)',
      integer(1),
      DEFAULT_BATCHING.maxEnqueuedBatches,
    )
    .option(
      '--num-batch-threads <n>',
      'batching: TF Serving threads running batches',
      integer(1),
      DEFAULT_BATCHING.numBatchThreads,
    )
    .option(
      '--allowed-batch-sizes <list>',
      'batching: pad batches to these sizes; the last must equal --max-batch-size',
      parseSizes,
    )
    .option('--no-batching', 'leave --enable_batching off in the docker and Kubernetes files')
    .option('--poll-wait-seconds <n>', '--file_system_poll_wait_seconds for TF Serving', integer(0), 1)
    .option(
      '--config-poll-seconds <n>',
      '--model_config_file_poll_wait_seconds for TF Serving: ' +
        're-read models.config this often, so label moves and rollbacks need no restart (0: off)',
      integer(0),
      60,
    )
    .option('--image <name>', 'TF Serving image (the GPU line appends -gpu to the tag)', 'tensorflow/serving')
    .option('--image-tag <tag>', 'TF Serving image tag', '2.18.0')
    .option(
      '--gpu-memory-fraction <f>',
      "GPU variants: --per_process_gpu_memory_fraction, the share of the GPU's memory TF Serving takes (0 < f <= 1)",
      positiveFraction,
      DEFAULT_GPU_MEMORY_FRACTION,
    )
    .option('--replicas <n>', 'Kubernetes Deployment replicas', integer(1), 2)
    .option('--models-claim <name>', 'Kubernetes PersistentVolumeClaim holding one directory per model', 'mnist-models')
    .option('--app-name <name>', 'name of the compose service and the Kubernetes objects', 'tf-serving')
    .option(
      '--mnist-serve-image <ref>',
      's3:// models: the image built from the Dockerfile, running `sync` and the embedded server',
      `mnist-serve:${version}`,
    )
    .option(
      '--s3-secret <name>',
      's3:// models: the Kubernetes Secret holding AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
      'mnist-serve-s3',
    )
    .option(
      '--sync-poll-seconds <n>',
      "s3:// models: seconds between the sync sidecar's passes over the store (and the embedded server's polls)",
      integer(1, 86_400),
      10,
    )
    .option(
      '--host-paths',
      'write host base paths into models.config ' +
        '(for `mnist-serve serve --model-config-file` or a native TF Serving) instead of /models/NAME',
      false,
    )
    .action(
      runAction((flags: Flags, command: Command) => {
        const options = globalOptions(command);
        const labels = Object.fromEntries(flags.label ?? []);
        const request: ServingConfigRequest = {
          outDir: flags.out,
          models: flags.model ?? [{ name: 'mnist', basePath: DEFAULT_BASE_PATH }],
          versionPolicy: flags.policy,
          versionLabels: labels,
          batching: {
            maxBatchSize: flags.maxBatchSize,
            batchTimeoutMicros: flags.batchTimeoutMicros,
            maxEnqueuedBatches: flags.maxEnqueuedBatches,
            numBatchThreads: flags.numBatchThreads,
            allowedBatchSizes: flags.allowedBatchSizes ?? [],
          },
          enableBatching: flags.batching,
          pollWaitSeconds: flags.pollWaitSeconds,
          configPollSeconds: flags.configPollSeconds,
          image: flags.image,
          imageTag: flags.imageTag,
          replicas: flags.replicas,
          modelsClaim: flags.modelsClaim,
          appName: flags.appName,
          hostPaths: flags.hostPaths,
          gpuMemoryFraction: flags.gpuMemoryFraction,
          mnistServeImage: flags.mnistServeImage,
          s3Secret: flags.s3Secret,
          syncPollSeconds: flags.syncPollSeconds,
          // The store's endpoint settings in this environment (the one the CI export used) go into the files.
          endpoint: Object.fromEntries(
            ENDPOINT_VARIABLES.filter((name) => process.env[name]).map((name) => [name, process.env[name]!]),
          ),
        };
        const written = writeServingConfig(request);
        const { files } = written;
        const credentials = files.s3EnvExample?.replace(/\.example$/, '');
        printResult(options, written, () =>
          [
            table(
              ['file', 'path'],
              Object.entries(files).map(([key, file]) => [key, file]),
            ),
            '',
            ...(files.dockerRun
              ? [
                  `run TF Serving: sh ${files.dockerRun}   (GPU: sh ${files.dockerRunGpu})`,
                  `or: docker compose -f ${files.dockerCompose} up   |   kubectl apply -f ${files.kubernetes}`,
                ]
              : [
                  `TF Serving fed by mnist-serve sync: docker compose -f ${files.dockerCompose} up ` +
                    `(credentials in ${credentials})   |   kubectl apply -f ${files.kubernetes}`,
                  `or the embedded server: kubectl apply -f ${files.embeddedServer}   |   ` +
                    `KServe: kubectl apply -f ${files.kserve}`,
                ]),
          ].join('\n'),
        );
      }),
    );
}
