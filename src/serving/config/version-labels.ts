/** A model's `version_labels` from a models.config, for tools that resolve `label:NAME` outside a server. */
import fs from 'node:fs';
import { UserInputError } from '../../errors.ts';
import { parseModelsConfig } from './models-config-file.ts';

/** A models.config is a few lines per model; anything this large is not one. */
const MAX_CONFIG_BYTES = 1024 * 1024;

export function readVersionLabels(file: string, modelName: string): { source: string; labels: Record<string, number> } {
  let text: string;
  try {
    const size = fs.statSync(file).size;
    if (size > MAX_CONFIG_BYTES)
      throw new UserInputError(
        `${file}: ${size} bytes, larger than a models.config can be (${MAX_CONFIG_BYTES} bytes)`,
      );
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof UserInputError) throw error;
    throw new UserInputError(
      `${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  const { models } = parseModelsConfig(text, file);
  const model = models.find((m) => m.name === modelName);
  if (!model)
    throw new UserInputError(`${file}: no model named "${modelName}" (it has ${models.map((m) => m.name).join(', ')})`);
  return { source: file, labels: model.versionLabels };
}
