import type { Rng } from '@dlfs/tensor';

/** Row indices of a dataset split in two: each row is in exactly one of them. */
export interface Split {
  train: Int32Array;
  val: Int32Array;
}

/**
 * Shuffles the row indices 0..rows-1 with `rng` and holds out round(rows · valFraction) of them
 * for validation (valFraction 0: none), like scikit-learn's train_test_split. Both lists come
 * back sorted, so gathering them walks the data forward; the same seed gives the same split.
 */
export function trainValSplit(rows: number, valFraction: number, rng: Rng): Split {
  if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`trainValSplit: rows must be a whole number >= 1, got ${rows}`);
  if (typeof valFraction !== 'number' || !(valFraction >= 0 && valFraction < 1)) {
    throw new RangeError(`trainValSplit: valFraction must be in [0, 1), such as 0.1 for 10% validation rows, got ${valFraction}`);
  }
  const nVal = Math.round(rows * valFraction);
  if (nVal >= rows) {
    throw new RangeError(`trainValSplit: holding out ${nVal} of ${rows} rows for validation leaves none to train on; lower valFraction or use more rows`);
  }
  const perm = rng.permutation(rows);
  return { train: perm.slice(nVal).sort(), val: perm.slice(0, nVal).sort() };
}
