import { describe, expect, it } from 'vitest';
import { initialVariables } from '../../src/model/init.ts';
import { defaultModelSpec, variableSpecs } from '../../src/model/spec.ts';

const spec = defaultModelSpec();

/** Keras's Glorot-uniform limit; a conv kernel's fans include its receptive field kh·kw. */
function glorotLimit(shape: number[]): number {
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const fanIn = receptive * shape[shape.length - 2]!;
  const fanOut = receptive * shape[shape.length - 1]!;
  return Math.sqrt(6 / (fanIn + fanOut));
}

describe('initialVariables', () => {
  it('sets every bias to zero', () => {
    const variables = initialVariables(spec, 42);
    for (const v of variableSpecs(spec).filter((s) => s.role === 'bias')) {
      expect(
        variables.get(v.name)!.every((x) => x === 0),
        v.name,
      ).toBe(true);
    }
  });

  it('draws every kernel uniformly within ±sqrt(6 / (fan_in + fan_out)), filling that range', () => {
    const variables = initialVariables(spec, 42);
    const limits: Record<string, number> = {};
    for (const v of variableSpecs(spec).filter((s) => s.role === 'kernel')) {
      const values = variables.get(v.name)!;
      const limit = glorotLimit(v.shape);
      limits[v.name] = limit;
      expect(values.length).toBe(v.shape.reduce((a, b) => a * b, 1));
      const max = values.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      expect(max, v.name).toBeLessThanOrEqual(limit);
      // 144+ uniform draws come within 5 % of the limit; a narrower initialiser would not.
      expect(max, v.name).toBeGreaterThan(limit * 0.95);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      expect(Math.abs(mean), v.name).toBeLessThan(limit * 0.2);
    }
    // conv2d: fans 9 and 144; dense: 576 and 32.
    expect(limits['conv2d/kernel']).toBeCloseTo(Math.sqrt(6 / 153), 12);
    expect(limits['dense/kernel']).toBeCloseTo(Math.sqrt(6 / 608), 12);
  });

  it('gives the same weights for the same seed and different ones for another seed', () => {
    const a = initialVariables(spec, 7);
    const b = initialVariables(spec, 7);
    const c = initialVariables(spec, 8);
    for (const [name, values] of a) expect(b.get(name), name).toEqual(values);
    expect(c.get('conv2d/kernel')).not.toEqual(a.get('conv2d/kernel'));
    expect(c.get('dense_1/kernel')).not.toEqual(a.get('dense_1/kernel'));
  });
});
