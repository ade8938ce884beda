/** What a report shows of a classifier's answers on a labelled split: confusions and worst mistakes. */

/** `matrix[label][predicted]`: how many images of each true class went to each predicted class. */
export function confusionMatrix(classes: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): number[][] {
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i += 1) matrix[labels[i]!]![classes[i]!]! += 1;
  return matrix;
}

/** Each class's recall: the share of its images classified right (null for a class with none). */
export function perClassAccuracy(matrix: number[][]): (number | null)[] {
  return matrix.map((row, label) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? null : row[label]! / total;
  });
}

export interface Mistake {
  /** Index of the image in the split. */
  index: number;
  label: number;
  predicted: number;
  /** The score of the predicted class. */
  confidence: number;
}

/** The `limit` wrong answers with the highest score on the predicted class, most confident first. */
export function mostConfidentMistakes(
  scores: Float32Array,
  classes: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
  limit: number,
): Mistake[] {
  const mistakes: Mistake[] = [];
  for (let i = 0; i < labels.length; i += 1) {
    const predicted = classes[i]!;
    if (predicted !== labels[i])
      mistakes.push({ index: i, label: labels[i]!, predicted, confidence: scores[i * numClasses + predicted]! });
  }
  // Ties keep split order, so the same model and split always give the same grid.
  return mistakes.sort((a, b) => b.confidence - a.confidence || a.index - b.index).slice(0, limit);
}
