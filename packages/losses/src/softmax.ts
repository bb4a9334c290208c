import { allocate, expRow, formatShape, ShapeError, sameShape, softmaxRow, Tensor } from '@dlfs/tensor';

/** The row maximum softmaxRow reports. */
const ROW_MAX = new Float64Array(1);

/**
 * 3.5.2: y_k = exp(a_k − max a) / Σ_i exp(a_i − max a), row by row along the last axis.
 * Subtracting the row's maximum leaves the result unchanged and keeps exp from overflowing.
 * A 1-D input is one row. The result has x's dtype; `out` (x's shape, may be x itself) is
 * written instead of allocating.
 */
export function softmax(x: Tensor, out?: Tensor): Tensor {
  if (x.ndim === 0) {
    throw new ShapeError('softmax', [x.shape], 'a scalar has no classes; give a vector or a [batch, classes] matrix');
  }
  if (out && !sameShape(out.shape, x.shape)) {
    throw new ShapeError('softmax', [x.shape, out.shape], `out has shape ${formatShape(out.shape)} but the result has ${formatShape(x.shape)}`);
  }
  const y = out ?? new Tensor(allocate(x.dtype, x.size), x.shape);
  const classes = x.shape[x.ndim - 1]!;
  const rows = classes === 0 ? 0 : x.size / classes;
  const X = x.data;
  const Y = y.data;
  // exp values stay in float64 until the division, so a float32 result is rounded only once.
  const e = expRow(classes);
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    const s = softmaxRow(X, base, classes, e, ROW_MAX);
    for (let k = 0; k < classes; k++) Y[base + k] = e[k]! / s;
  }
  return y;
}
