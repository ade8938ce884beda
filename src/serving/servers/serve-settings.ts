/**
 * What `serve`'s flags mean, as tensorflow_model_server reads its own: either one model from
 * --model-name/--model-base-path, or every model in --model-config-file (re-read on SIGHUP);
 * batching off, or on with the defaults, or on with --batching-parameters-file; the request
 * limits from --max-request-rows and --max-in-flight-rows.
 */
import fs from 'node:fs';
import path from 'node:path';
import { field, fieldMessage, UserInputError, type FieldRef } from '../../errors.ts';
import { isS3Uri } from '../../storage/s3-location.ts';
import { DEFAULT_BATCHING, type BatchingParameters } from '../batching/batcher.ts';
import { parseBatchingParameters } from '../config/batching-parameters.ts';
import { parseModelsConfig } from '../config/models-config-file.ts';
import { defaultRequestLimits, type RequestLimits } from '../servable/request-limits.ts';
import { DEFAULT_VERSION_POLICY, type ServingConfig } from '../lifecycle/model-server-config.ts';

export interface ServeSettings {
  modelName: string;
  modelBasePath: string;
  modelConfigFile?: string;
  enableBatching: boolean;
  batchingParametersFile?: string;
  maxRequestRows?: number;
  maxInFlightRows?: number;
}

function readText(file: string, source: FieldRef): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserInputError(
      fieldMessage`${source}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}

/** The models to serve; relative base paths in a config file are taken from the directory it is in. */
export function servingConfigFrom(settings: ServeSettings): ServingConfig {
  if (!settings.modelConfigFile) {
    return {
      models: [
        {
          name: settings.modelName,
          basePath: resolveBasePath(settings.modelBasePath),
          platform: 'tensorflow',
          versionPolicy: DEFAULT_VERSION_POLICY,
          versionLabels: {},
        },
      ],
    };
  }
  const file = settings.modelConfigFile;
  const config = parseModelsConfig(readText(file, field('modelConfigFile', file)), file);
  const dir = path.dirname(path.resolve(file));
  return { models: config.models.map((model) => ({ ...model, basePath: resolveBasePath(model.basePath, dir) })) };
}

/** A local base path made absolute (relative to `dir`); an s3:// one as it is. */
function resolveBasePath(basePath: string, dir = '.'): string {
  return isS3Uri(basePath) ? basePath : path.resolve(dir, basePath);
}

export function batchingFrom(settings: ServeSettings): BatchingParameters | undefined {
  if (!settings.enableBatching) {
    if (settings.batchingParametersFile)
      throw new UserInputError(
        fieldMessage`${field('batchingParametersFile')} has no effect without ${field('enableBatching', true)}`,
      );
    return undefined;
  }
  if (!settings.batchingParametersFile) return { ...DEFAULT_BATCHING };
  const file = settings.batchingParametersFile;
  return parseBatchingParameters(readText(file, field('batchingParametersFile', file)), file);
}

/**
 * Rows per request (default: max_batch_size with batching, DEFAULT_MAX_REQUEST_ROWS without) and
 * in flight (default: DEFAULT_IN_FLIGHT_REQUESTS requests of the largest size).
 */
export function requestLimitsFrom(settings: ServeSettings, batching: BatchingParameters | undefined): RequestLimits {
  const maxBatchSize = batching?.maxBatchSize;
  if (settings.maxRequestRows !== undefined && maxBatchSize !== undefined && settings.maxRequestRows > maxBatchSize) {
    throw new UserInputError([
      ...fieldMessage`${field('maxRequestRows', settings.maxRequestRows)} is larger than `,
      `max_batch_size ${maxBatchSize}: the batcher refuses such requests; lower it or raise max_batch_size`,
    ]);
  }
  const defaults = defaultRequestLimits(settings.maxRequestRows ?? maxBatchSize);
  const limits = {
    maxRequestRows: defaults.maxRequestRows,
    maxInFlightRows: settings.maxInFlightRows ?? defaults.maxInFlightRows,
  };
  if (limits.maxInFlightRows < limits.maxRequestRows) {
    throw new UserInputError([
      ...fieldMessage`${field('maxInFlightRows', limits.maxInFlightRows)} is smaller than `,
      ...fieldMessage`the ${limits.maxRequestRows} rows one request may carry (${field('maxRequestRows')}): `,
      'such a request could never run',
    ]);
  }
  return limits;
}
