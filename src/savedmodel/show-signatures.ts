/** Signatures printed as `saved_model_cli show --all` prints them, so its readers feel at home. */
import type { SignatureDef } from '../formats/proto/types.ts';
import { summarizeSignatures, type TensorSummary } from './signatures.ts';

export function formatSignatures(metaGraphs: { tags: string[]; signatures: Record<string, SignatureDef> }[]): string {
  const lines: string[] = [];
  for (const meta of metaGraphs) {
    lines.push(`MetaGraphDef with tag-set: '${meta.tags.join(', ')}' contains the following SignatureDefs:`, '');
    for (const signature of summarizeSignatures(meta.signatures)) {
      lines.push(`signature_def['${signature.name}']:`);
      lines.push('  The given SavedModel SignatureDef contains the following input(s):');
      for (const [key, tensor] of Object.entries(signature.inputs)) lines.push(...tensorLines('inputs', key, tensor));
      lines.push('  The given SavedModel SignatureDef contains the following output(s):');
      for (const [key, tensor] of Object.entries(signature.outputs)) lines.push(...tensorLines('outputs', key, tensor));
      lines.push(`  Method name is: ${signature.method}`, '');
    }
  }
  return lines.join('\n');
}

function tensorLines(kind: string, key: string, tensor: TensorSummary): string[] {
  return [
    `    ${kind}['${key}'] tensor_info:`,
    `        dtype: ${tensor.dtype}`,
    `        shape: ${formatShape(tensor.shape)}`,
    `        name: ${tensor.name}`,
  ];
}

export function formatShape(shape: number[] | null): string {
  if (shape === null) return 'unknown_rank';
  return `(${shape.join(', ')})`;
}
