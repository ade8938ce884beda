/**
 * TensorShapeProto ⇄ dimension lists. A TensorInfo's shape may be partial: -1 is a dimension of
 * any size and `unknown_rank` (or no shape at all) says nothing about the rank.
 */
import type { TensorShapeProto, TensorShapeProto__Output } from '../proto/types.ts';

/**
 * A TensorShapeProto (as decoded, so it fits both readers and encodeMessage); `null` is unknown
 * rank, -1 an unknown dimension.
 */
export function shapeProto(dims: readonly number[] | null): TensorShapeProto__Output {
  return dims === null ? { dim: [], unknown_rank: true } : { dim: dims.map((size) => ({ size })) };
}

/** The dimensions (int64 sizes as numbers, -1 unknown); null: unknown rank. */
export function shapeDims(shape: TensorShapeProto | null | undefined): number[] | null {
  if (!shape || shape.unknown_rank) return null;
  return (shape.dim ?? []).map((dim) => Number(dim.size ?? 0));
}
