/**
 * `models.config`: TF Serving's ModelServerConfig in text format, written for
 * `--model_config_file` and read back by the embedded server (`serve --model-config-file`):
 *
 *   model_config_list { config { name: "mnist" base_path: "/models/mnist" model_platform: "tensorflow"
 *     model_version_policy { latest { num_versions: 2 } }   # or specific { versions: 1 … } | all {}
 *     version_labels { key: "stable" value: 2 } } }
 */
import { UserInputError } from '../../errors.ts';
import {
  formatTextProto,
  parseTextProto,
  type TextProtoFields,
  type TextProtoMessage,
  type TextProtoScalar,
} from '../../formats/text-proto.ts';
import {
  DEFAULT_VERSION_POLICY,
  type ModelConfig,
  type ServingConfig,
  type VersionPolicy,
} from '../lifecycle/model-server-config.ts';

export function formatModelsConfig(config: ServingConfig): string {
  const message: TextProtoMessage = {
    model_config_list: {
      config: config.models.map((model) => ({
        name: model.name,
        base_path: model.basePath,
        model_platform: model.platform,
        model_version_policy: policyMessage(model.versionPolicy),
        ...(Object.keys(model.versionLabels).length > 0 && {
          version_labels: Object.entries(model.versionLabels).map(([key, value]) => ({ key, value })),
        }),
      })),
    },
  };
  return formatTextProto(message);
}

function policyMessage(policy: VersionPolicy): TextProtoMessage {
  if (policy.kind === 'latest') return { latest: { num_versions: policy.numVersions } };
  if (policy.kind === 'specific') return { specific: { versions: policy.versions } };
  return { all: {} };
}

/** Parses a ModelServerConfig; every problem names the file and the field. */
export function parseModelsConfig(text: string, source: string): ServingConfig {
  const root = parseTextProto(text, source);
  const list = single(root, 'model_config_list', source, true);
  if (!list) throw new UserInputError(`${source}: expected a model_config_list (custom_model_config is not supported)`);
  const models = messages(list, 'config', `${source}: model_config_list`).map((config, index) =>
    parseModel(config, `${source}: config #${index + 1}`),
  );
  if (models.length === 0) throw new UserInputError(`${source}: model_config_list holds no config`);
  const names = models.map((model) => model.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) throw new UserInputError(`${source}: model name "${duplicate}" appears twice`);
  return { models };
}

function parseModel(fields: TextProtoFields, where: string): ModelConfig {
  const name = scalar(fields, 'name', where, 'string');
  const basePath = scalar(fields, 'base_path', where, 'string');
  if (!name) throw new UserInputError(`${where}: name is missing`);
  if (!basePath) throw new UserInputError(`${where} (${name}): base_path is missing`);
  const platform = scalar(fields, 'model_platform', where, 'string') ?? 'tensorflow';
  if (platform !== 'tensorflow')
    throw new UserInputError(
      `${where} (${name}): model_platform "${platform}" is not supported (expected "tensorflow")`,
    );
  const policyFields = single(fields, 'model_version_policy', where, true);
  const versionLabels: Record<string, number> = {};
  for (const label of messages(fields, 'version_labels', where)) {
    const key = scalar(label, 'key', `${where}: version_labels`, 'string');
    const value = scalar(label, 'value', `${where}: version_labels`, 'number');
    if (!key || value === undefined || !Number.isInteger(value) || value < 0) {
      throw new UserInputError(`${where} (${name}): version_labels needs a key and a non-negative integer value`);
    }
    versionLabels[key] = value;
  }
  return {
    name,
    basePath,
    platform,
    versionPolicy: policyFields
      ? parsePolicy(policyFields, `${where} (${name}): model_version_policy`)
      : DEFAULT_VERSION_POLICY,
    versionLabels,
  };
}

function parsePolicy(fields: TextProtoFields, where: string): VersionPolicy {
  const kinds = Object.keys(fields);
  if (kinds.length !== 1) throw new UserInputError(`${where}: expected exactly one of latest, specific, all`);
  const latest = single(fields, 'latest', where, true);
  if (latest) {
    const numVersions = scalar(latest, 'num_versions', `${where}.latest`, 'number') ?? 1;
    if (!Number.isInteger(numVersions) || numVersions < 1)
      throw new UserInputError(`${where}.latest: num_versions must be a positive integer`);
    return { kind: 'latest', numVersions };
  }
  const specific = single(fields, 'specific', where, true);
  if (specific) {
    const versions = (specific.versions ?? []).map((value) => {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
        throw new UserInputError(`${where}.specific: versions must be non-negative integers`);
      return value;
    });
    if (versions.length === 0) throw new UserInputError(`${where}.specific: list at least one version`);
    return { kind: 'specific', versions };
  }
  if (single(fields, 'all', where, true)) return { kind: 'all' };
  throw new UserInputError(`${where}: unknown policy "${kinds[0]}" (expected latest, specific or all)`);
}

function messages(fields: TextProtoFields, name: string, where: string): TextProtoFields[] {
  return (fields[name] ?? []).map((value) => {
    if (typeof value !== 'object' || 'enum' in value)
      throw new UserInputError(`${where}: ${name} must be a message ({ … })`);
    return value as TextProtoFields;
  });
}

function single(fields: TextProtoFields, name: string, where: string, optional: true): TextProtoFields | undefined {
  const found = messages(fields, name, where);
  if (found.length > 1) throw new UserInputError(`${where}: ${name} appears ${found.length} times (expected once)`);
  if (found.length === 0 && !optional) throw new UserInputError(`${where}: ${name} is missing`);
  return found[0];
}

export function scalar(fields: TextProtoFields, name: string, where: string, type: 'string'): string | undefined;
export function scalar(fields: TextProtoFields, name: string, where: string, type: 'number'): number | undefined;
export function scalar(
  fields: TextProtoFields,
  name: string,
  where: string,
  type: 'string' | 'number',
): string | number | undefined {
  const values = fields[name] ?? [];
  if (values.length > 1) throw new UserInputError(`${where}: ${name} appears ${values.length} times (expected once)`);
  const value = values[0] as TextProtoScalar | TextProtoFields | undefined;
  if (value === undefined) return undefined;
  if (typeof value !== type) throw new UserInputError(`${where}: ${name} must be a ${type}`);
  return value as string | number;
}
