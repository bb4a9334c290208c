import { formatShape, ShapeError, type Shape } from './shape.js';
import type { TypedArray } from './tensor.js';

let rowScratch = new Float64Array(0);

/** A float64 row of at least `classes` values, reused from call to call. */
export function expRow(classes: number): Float64Array {
  if (rowScratch.length < classes) rowScratch = new Float64Array(classes);
  return rowScratch;
}

/**
 * 3.5.2, one row: writes e[k] = exp(x[base + k] − m) for the row's maximum m and returns the
 * sum s = Σ e[k], with m in `max[0]`; so y[k] = e[k] / s and log y[k] = x[k] − m − log s.
 * Subtracting the maximum leaves the result unchanged and keeps exp from overflowing. In float64,
 * so a float32 result is rounded once. The one softmax every softmax in dlfs is written with.
 */
export function softmaxRow(X: TypedArray, base: number, classes: number, e: Float64Array, max: Float64Array): number {
  let m = -Infinity;
  for (let k = 0; k < classes; k++) if (X[base + k]! > m) m = X[base + k]!;
  let s = 0;
  for (let k = 0; k < classes; k++) {
    e[k] = Math.exp(X[base + k]! - m);
    s += e[k]!;
  }
  max[0] = m;
  return s;
}

/**
 * Checks class-index labels against `rows` rows of `classes` scores (of shape `shape`): one
 * whole number in 0..classes-1 per row. A count that differs is a ShapeError, a bad index a
 * RangeError naming its row; `hint` ends the count message. The one label check of dlfs.
 */
export function checkClassIndices(op: string, labels: ArrayLike<number>, rows: number, classes: number, shape: Shape, hint = ''): void {
  if (labels.length !== rows) {
    throw new ShapeError(
      op,
      [shape, [labels.length]],
      `${labels.length} class indices for ${rows} rows of scores ${formatShape(shape)}: give one index per row${hint}`,
    );
  }
  for (let r = 0; r < rows; r++) {
    const t = labels[r]!;
    if (!Number.isInteger(t) || t < 0 || t >= classes) throw new RangeError(`${op}: label ${t} at row ${r} is outside 0..${classes - 1}`);
  }
}
