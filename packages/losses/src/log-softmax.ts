import { allocate, expRow, formatShape, ShapeError, sameShape, softmaxRow, Tensor } from '@dlfs/tensor';

/** The row maximum softmaxRow reports. */
const ROW_MAX = new Float64Array(1);

/**
 * log y_k = (a_k − max a) − log Σ_i exp(a_i − max a): the logarithm of softmax (3.5.2) computed
 * without ever forming y, so it stays finite (and exact) where y itself underflows to 0.
 * Row-wise along the last axis like `softmax`; keeps x's dtype; `out` may be x itself.
 */
export function logSoftmax(x: Tensor, out?: Tensor): Tensor {
  if (x.ndim === 0) {
    throw new ShapeError('logSoftmax', [x.shape], 'a scalar has no classes; give a vector or a [batch, classes] matrix');
  }
  if (out && !sameShape(out.shape, x.shape)) {
    throw new ShapeError('logSoftmax', [x.shape, out.shape], `out has shape ${formatShape(out.shape)} but the result has ${formatShape(x.shape)}`);
  }
  const o = out ?? new Tensor(allocate(x.dtype, x.size), x.shape);
  const classes = x.shape[x.ndim - 1]!;
  const rows = classes === 0 ? 0 : x.size / classes;
  const X = x.data;
  const O = o.data;
  const e = expRow(classes);
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    const logSum = Math.log(softmaxRow(X, base, classes, e, ROW_MAX));
    const m = ROW_MAX[0]!;
    for (let k = 0; k < classes; k++) O[base + k] = X[base + k]! - m - logSum;
  }
  return o;
}
