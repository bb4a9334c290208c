import { allocate, formatShape, ShapeError, Tensor } from '@dlfs/tensor';

/**
 * x[indices] along the first axis, as NumPy's `x[batch_mask]`: row k of the result is row
 * indices[k] of x. Writes into `out` when given (its shape must be [indices.length, ...rest]),
 * so a training loop can reuse one batch buffer; allocates nothing else.
 */
export function gatherRows(x: Tensor, indices: Int32Array | ArrayLike<number>, out?: Tensor): Tensor {
  if (x.ndim === 0) throw new ShapeError('gatherRows', [x.shape], 'x is a scalar; it needs a first axis of rows');
  const n = x.shape[0]!;
  const width = n === 0 ? 0 : x.size / n;
  let y: Tensor;
  if (out === undefined) {
    y = new Tensor(allocate(x.dtype, indices.length * width), [indices.length, ...x.shape.slice(1)]);
  } else {
    // Checked axis by axis, so that a training loop's call allocates nothing.
    let fits = out.ndim === x.ndim && out.shape[0] === indices.length;
    for (let a = 1; fits && a < x.ndim; a++) fits = out.shape[a] === x.shape[a];
    if (!fits) {
      const shape = [indices.length, ...x.shape.slice(1)];
      throw new ShapeError('gatherRows', [x.shape, out.shape], `out must have shape ${formatShape(shape)}`);
    }
    y = out;
  }
  const X = x.data;
  const Y = y.data;
  const sameType = X.constructor === Y.constructor;
  for (let k = 0; k < indices.length; k++) {
    const r = checkIndex('gatherRows', indices, k, n);
    const from = r * width;
    const to = k * width;
    // A row of the same element type is one memcpy; an element loop was a third of the training step.
    if (sameType) Y.set(X.subarray(from, from + width), to);
    else for (let j = 0; j < width; j++) Y[to + j] = X[from + j]!;
  }
  return y;
}

/** labels[indices]: the labels of the rows gatherRows picks, into `out` when given. */
export function gatherLabels(labels: Int32Array, indices: Int32Array | ArrayLike<number>, out?: Int32Array): Int32Array {
  if (out !== undefined && out.length !== indices.length) {
    throw new RangeError(`gatherLabels: out holds ${out.length} labels but ${indices.length} indices were given`);
  }
  const y = out ?? new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) y[k] = labels[checkIndex('gatherLabels', indices, k, labels.length)]!;
  return y;
}

function checkIndex(op: string, indices: ArrayLike<number>, k: number, n: number): number {
  const r = indices[k]!;
  if (!(r >= 0 && r < n) || !Number.isInteger(r)) {
    throw new RangeError(`${op}: indices[${k}] is ${r}, not a row index in 0..${n - 1}`);
  }
  return r;
}
