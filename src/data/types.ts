/**
 * The dataset as the rest of mnist-serve sees it: uint8 pixels (0–255, row-major, N×H×W) and
 * uint8 labels. Engines convert to float32 (÷255) in batches, so the full set is held once.
 */
export interface Split {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export interface Dataset {
  /** `mnist` (embedded), `mnist-full`, `fashion-mnist`, or `idx` for a user's directory. */
  name: string;
  /** Where it came from: a package path, a directory, or a cache path. */
  source: string;
  imageShape: [number, number, number];
  numClasses: number;
  train: Split;
  test: Split;
}
