/**
 * A seeded, class-stratified train/test split: every class keeps the same share in both splits,
 * and the same seed gives the same split on every machine.
 */
import { deriveSeed, seededRandom, shuffleInPlace } from '../util/random.ts';

export interface SplitIndices {
  train: Int32Array;
  test: Int32Array;
}

/**
 * Splits sample indices grouped by class: `Math.round(n × testFraction)` of each class's `n`
 * samples go to test, the rest to train; each split is then shuffled so classes interleave.
 */
export function stratifiedSplit(
  indicesByClass: readonly Int32Array[],
  testFraction: number,
  seed: number,
): SplitIndices {
  const random = seededRandom(deriveSeed(seed, 'stratified-split'));
  const train: number[] = [];
  const test: number[] = [];
  for (const classIndices of indicesByClass) {
    const shuffled = shuffleInPlace(Int32Array.from(classIndices), random);
    const testCount = Math.round(shuffled.length * testFraction);
    for (let i = 0; i < shuffled.length; i += 1) (i < testCount ? test : train).push(shuffled[i]!);
  }
  return {
    train: shuffleInPlace(Int32Array.from(train), random),
    test: shuffleInPlace(Int32Array.from(test), random),
  };
}
