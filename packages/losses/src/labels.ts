import { checkClassIndices, formatShape, ShapeError, Tensor } from '@dlfs/tensor';

/**
 * The correct answers for a batch of scores, in either of the book's two forms (4.2.2):
 * one-hot, a Tensor with the same shape as the scores; or class indices, one whole number
 * per row (`[2, 0, 7]` for three rows).
 */
export type Labels = Tensor | Int32Array | readonly number[];

/**
 * Labels that passed `checkLabels`, with the scores seen as `rows` × `classes`: the last axis
 * holds the classes and every leading axis is flattened into rows (a 1-D score vector is one row).
 */
export type CheckedLabels =
  | { readonly kind: 'one-hot'; readonly rows: number; readonly classes: number; readonly t: Tensor }
  | { readonly kind: 'index'; readonly rows: number; readonly classes: number; readonly t: Int32Array | readonly number[] };

/**
 * Checks `t` against the scores `y` and says which form it is in. One-hot labels must have
 * y's shape (ShapeError); class indices must number one per row (ShapeError) and each be a
 * whole number in 0..classes-1 (RangeError naming the row). `op` starts every message.
 */
export function checkLabels(op: string, y: Tensor, t: Labels): CheckedLabels {
  if (y.ndim === 0) {
    throw new ShapeError(op, [y.shape], 'the scores are a scalar; give a vector of class scores or a [batch, classes] matrix');
  }
  const classes = y.shape[y.ndim - 1]!;
  const rows = classes === 0 ? 0 : y.size / classes;
  if (rows === 0) {
    throw new ShapeError(op, [y.shape], 'the scores are empty; a loss needs at least one row and one class');
  }
  if (t instanceof Tensor) {
    if (t.ndim !== y.ndim || t.shape.some((d, i) => d !== y.shape[i])) {
      const hint = t.ndim === y.ndim - 1 ? '; class indices go in an Int32Array or a number[], not a Tensor' : '';
      throw new ShapeError(
        op,
        [y.shape, t.shape],
        `one-hot labels of shape ${formatShape(t.shape)} do not match the scores' shape ${formatShape(y.shape)}${hint}`,
      );
    }
    return { kind: 'one-hot', rows, classes, t };
  }
  if (!(t instanceof Int32Array) && !Array.isArray(t)) {
    throw new TypeError(`${op}: labels must be a one-hot Tensor, an Int32Array or an array of class indices`);
  }
  checkClassIndices(op, t, rows, classes, y.shape, ' (one-hot labels must be a Tensor)');
  return { kind: 'index', rows, classes, t };
}

/** y − t as a new tensor of y's dtype; for class indices that is y with 1 subtracted at [i, t_i]. */
export function subLabels(y: Tensor, labels: CheckedLabels, out?: Tensor): Tensor {
  const d = out ?? y.clone();
  if (out) out.data.set(y.data);
  const D = d.data;
  if (labels.kind === 'one-hot') {
    const T = labels.t.data;
    for (let i = 0; i < D.length; i++) D[i] = D[i]! - T[i]!;
  } else {
    const { t, classes } = labels;
    for (let i = 0; i < labels.rows; i++) {
      const at = i * classes + t[i]!;
      D[at] = D[at]! - 1;
    }
  }
  return d;
}
