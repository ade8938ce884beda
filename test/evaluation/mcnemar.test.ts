import { describe, expect, it } from 'vitest';
import { exactMcNemarPValue, pairedComparison } from '../../src/evaluation/mcnemar.ts';

describe('exactMcNemarPValue', () => {
  it('matches values worked by hand: 2·Σ C(n,i)/2^n for i ≤ min(b, c)', () => {
    expect(exactMcNemarPValue(5, 1)).toBeCloseTo(14 / 64, 15); // 2·(1 + 6)/64
    expect(exactMcNemarPValue(7, 0)).toBeCloseTo(2 / 128, 15);
    expect(exactMcNemarPValue(10, 3)).toBeCloseTo((2 * 378) / 8192, 15); // 1 + 13 + 78 + 286 = 378
  });

  // Exact rationals from Python: min(1, 2*Fraction(sum(comb(n, i) for i in range(k + 1)), 2**n)).
  it.each([
    [40, 20, 0.01348929373119186],
    [100, 70, 0.02584438758134169],
    [1500, 1400, 0.06598734966518381],
    [2000, 1700, 8.738822275817884e-7],
  ])('matches the exact binomial tail for b=%i, c=%i (past where 0.5^n underflows)', (b, c, expected) => {
    expect(exactMcNemarPValue(b, c) / expected).toBeCloseTo(1, 9);
  });

  it('is symmetric, and 1 with no discordant pairs or a balanced split', () => {
    expect(exactMcNemarPValue(3, 10)).toBe(exactMcNemarPValue(10, 3));
    expect(exactMcNemarPValue(0, 0)).toBe(1);
    expect(exactMcNemarPValue(1, 0)).toBe(1);
    expect(exactMcNemarPValue(25, 25)).toBe(1);
  });

  it('rejects counts that are not non-negative integers', () => {
    expect(() => exactMcNemarPValue(-1, 2)).toThrow(RangeError);
    expect(() => exactMcNemarPValue(1.5, 2)).toThrow(RangeError);
  });
});

describe('pairedComparison', () => {
  it('counts the images the candidate fixes and breaks, ignoring those both get right or both wrong', () => {
    const labels = [0, 1, 2, 3, 4, 5, 6, 7];
    const baseline = [0, 1, 9, 9, 4, 9, 6, 9];
    const candidate = [0, 9, 2, 3, 4, 9, 9, 8];
    // fixed: 2, 3; broken: 1, 6; both right: 0, 4; both wrong: 5, 7.
    expect(pairedComparison(candidate, baseline, labels)).toEqual({ fixed: 2, broken: 2, pValue: 1 });
  });

  it('refuses predictions of a different length than the labels', () => {
    expect(() => pairedComparison([1, 2], [1], [1, 2])).toThrow(RangeError);
  });
});
