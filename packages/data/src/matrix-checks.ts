import { formatShape, sameShape, ShapeError, type Tensor, zerosLike } from '@dlfs/tensor';

/** Checks that x is [rows, features] (any number of rows) and returns the number of rows. */
export function checkMatrix(op: string, x: Tensor, features?: number): number {
  if (x.ndim !== 2) throw new ShapeError(op, [x.shape], `x must be a [rows, features] matrix, got ${x.ndim} axes`);
  if (features !== undefined && x.shape[1] !== features) {
    throw new ShapeError(
      op,
      [x.shape],
      `the scaler was fitted on ${features} features but x has ${x.shape[1]}; scale data with the columns the scaler was fitted on`,
    );
  }
  return x.shape[0]!;
}

/** `out` when given (it must have x's shape), else a new tensor of x's shape and dtype. */
export function outputFor(op: string, x: Tensor, out: Tensor | undefined): Tensor {
  if (out === undefined) return zerosLike(x);
  if (!sameShape(out.shape, x.shape)) {
    throw new ShapeError(op, [x.shape, out.shape], `out must have x's shape ${formatShape(x.shape)}`);
  }
  return out;
}

/** Checks row indices for a matrix of `rows` rows: whole numbers in 0..rows-1, at least one. */
export function checkRows(op: string, rows: ArrayLike<number>, total: number): void {
  if (rows.length === 0) throw new RangeError(`${op}: rows is empty; fit needs at least one row`);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (!Number.isInteger(r) || r < 0 || r >= total) {
      throw new RangeError(`${op}: rows[${i}] is ${r}, not a row index of x (0..${total - 1})`);
    }
  }
}
