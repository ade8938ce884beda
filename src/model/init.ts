/** Initial weights as Keras makes them: Glorot-uniform kernels, zero biases; seeded. */
import { deriveSeed, seededRandom } from '../util/random.ts';
import { variableSpecs, type ModelSpec } from './spec.ts';

/** Keras's fans: a conv kernel [kh, kw, in, out] has receptive field kh·kw. */
function fans(shape: number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 2) return { fanIn: shape[0]!, fanOut: shape[1]! };
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return { fanIn: receptive * shape[shape.length - 2]!, fanOut: receptive * shape[shape.length - 1]! };
}

export function initialVariables(spec: ModelSpec, seed: number): Map<string, Float32Array> {
  const random = seededRandom(deriveSeed(seed, 'init'));
  const variables = new Map<string, Float32Array>();
  for (const variable of variableSpecs(spec)) {
    const size = variable.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (variable.role === 'kernel') {
      const { fanIn, fanOut } = fans(variable.shape);
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < size; i += 1) values[i] = (random() * 2 - 1) * limit;
    }
    variables.set(variable.name, values);
  }
  return variables;
}
