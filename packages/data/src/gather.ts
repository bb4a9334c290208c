import { allocate, copyRows, formatShape, ShapeError, Tensor } from '@dlfs/tensor';

/**
 * x[indices] along the first axis, as NumPy's `x[batch_mask]`: row k of the result is row
 * indices[k] of x. Writes into `out` when given (its shape must be [indices.length, ...rest]),
 * so a training loop can reuse one batch buffer; allocates nothing else. A result it allocates
 * lives on the JS heap; give a placed `out` (zeros of float32) for data the kernels should read
 * in place, such as a training set a BatchSampler draws from.
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
  for (let k = 0; k < indices.length; k++) checkIndex('gatherRows', indices, k, n);
  const rows = indices instanceof Int32Array ? indices : Int32Array.from(indices);
  // A WASM bulk copy per row when x and y both live in WASM memory, else one memcpy per row.
  copyRows(x, rows, y);
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
