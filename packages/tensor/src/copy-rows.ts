import { defineKernel } from './kernel.js';
import { formatShape, ShapeError } from './shape.js';
import type { Tensor, TypedArray } from './tensor.js';
import { scratchSize } from './wasm/runtime.js';

/**
 * Rows of x picked by index, the book's `x[batch_mask]` (4.5.2): out[k, ...] = x[indices[k], ...]
 * along the first axis, written into `out` ([indices.length, ...x.shape.slice(1)], any dtype).
 * float32 rows run as one WASM bulk copy each when x and out both live in WASM memory (a
 * training set placed there and the batch buffer); otherwise each row is one typed-array copy.
 */
export function copyRows(x: Tensor, indices: Int32Array, out: Tensor): Tensor {
  if (x.ndim === 0) throw new ShapeError('copyRows', [x.shape], 'x is a scalar; it needs a first axis of rows');
  const rows = x.shape[0]!;
  let fits = out.ndim === x.ndim && out.shape[0] === indices.length;
  for (let a = 1; fits && a < x.ndim; a++) fits = out.shape[a] === x.shape[a];
  if (!fits) {
    throw new ShapeError('copyRows', [x.shape, out.shape], `out must have shape ${formatShape([indices.length, ...x.shape.slice(1)])}`);
  }
  for (let k = 0; k < indices.length; k++) {
    const r = indices[k]!;
    // Checked here because the WASM kernel would copy from wherever an index points.
    if (!(r >= 0 && r < rows)) throw new RangeError(`copyRows: indices[${k}] is ${r}, not a row index in 0..${rows - 1}`);
  }
  const width = rows === 0 ? 0 : x.size / rows;
  if (indices.length > 0 && width > 0) copyRowsKernel.run({ x: x.data, out: out.data, indices, width });
  return out;
}

interface CopyRowsCall {
  x: TypedArray;
  out: TypedArray;
  /** Row numbers into x, already checked. */
  indices: Int32Array;
  /** Elements per row. */
  width: number;
}

/** A copy is as cheap as it gets: in WASM only in place; from 256 elements on, as the element-wise kernels. */
const copyRowsKernel = defineKernel<CopyRowsCall, void>({
  name: 'copyRows',
  placement: 'placed',
  minSize: 256,
  operands: { x: 'read', out: 'write' },
  size: (c) => c.indices.length * c.width,
  // The row numbers go to the scratch, where the kernel reads them.
  scratchBytes: (c) => scratchSize(4 * c.indices.length),
  reference: ({ x, out, indices, width }) => {
    const sameType = x.constructor === out.constructor;
    for (let k = 0; k < indices.length; k++) {
      const from = indices[k]! * width;
      const to = k * width;
      // A row of one element type is one memcpy; an element loop was a third of the training step.
      if (sameType) out.set(x.subarray(from, from + width), to);
      else for (let j = 0; j < width; j++) out[to + j] = x[from + j]!;
    }
  },
  wasm: (K, at, { indices, width }, rt) => {
    const idx = rt.scratch(4 * indices.length);
    rt.i32.set(indices, idx >> 2);
    K.copyRows(at.x, idx, indices.length, 4 * width, at.out);
  },
});
