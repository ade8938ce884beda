/**
 * The paired comparison of two classifiers on the same images: the discordant pairs (images one
 * gets right and the other wrong) and the exact McNemar test on them. Under "no difference" each
 * discordant image is a fair coin, so the two-sided p-value is the binomial tail
 * min(1, 2 · P[X ≤ min(b, c)]) with X ~ Binomial(b + c, 1/2).
 */

export interface PairedComparison {
  /** Images the baseline gets wrong and the candidate right. */
  fixed: number;
  /** Images the baseline gets right and the candidate wrong. */
  broken: number;
  /** Exact two-sided McNemar p-value on the discordant pairs (1 when there are none). */
  pValue: number;
}

export function pairedComparison(
  candidate: ArrayLike<number>,
  baseline: ArrayLike<number>,
  labels: ArrayLike<number>,
): PairedComparison {
  if (candidate.length !== labels.length || baseline.length !== labels.length) {
    throw new RangeError(
      `paired comparison of ${candidate.length} and ${baseline.length} predictions for ${labels.length} labels`,
    );
  }
  let fixed = 0;
  let broken = 0;
  for (let i = 0; i < labels.length; i += 1) {
    const candidateRight = candidate[i] === labels[i];
    const baselineRight = baseline[i] === labels[i];
    if (candidateRight && !baselineRight) fixed += 1;
    else if (baselineRight && !candidateRight) broken += 1;
  }
  return { fixed, broken, pValue: exactMcNemarPValue(fixed, broken) };
}

/**
 * Summed in log space: 0.5^n underflows a double beyond n ≈ 1074 discordant pairs, which a 10k
 * test split between two weak models can reach.
 */
export function exactMcNemarPValue(b: number, c: number): number {
  if (!Number.isInteger(b) || !Number.isInteger(c) || b < 0 || c < 0)
    throw new RangeError(`discordant counts must be non-negative integers, got ${b} and ${c}`);
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  const logHalfPowN = -n * Math.LN2;
  let logChoose = 0;
  const logTerms: number[] = [];
  for (let i = 0; i <= k; i += 1) {
    logTerms.push(logChoose + logHalfPowN);
    logChoose += Math.log(n - i) - Math.log(i + 1);
  }
  const top = Math.max(...logTerms);
  const tail = Math.exp(top) * logTerms.reduce((sum, term) => sum + Math.exp(term - top), 0);
  return Math.min(1, 2 * tail);
}
