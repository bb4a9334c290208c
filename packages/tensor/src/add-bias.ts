import { defineKernel, WASM_MIN_ELEMENTS } from './kernel.js';
import { formatShape, ShapeError, sameShape } from './shape.js';
import { allocate, Tensor, type TypedArray } from './tensor.js';

/**
 * 5.6.2 the bias of Affine: out[r, :] = x[r, :] + b for x of shape [..., n] and b of shape [n],
 * the row broadcast of `add(x, b)`. Writes `out` (x's shape; may be x itself) or a new tensor of
 * x's dtype. Gives the same bits as `add` on every backend.
 */
export function addBias(x: Tensor, b: Tensor, out?: Tensor): Tensor {
  if (x.ndim === 0 || b.ndim !== 1 || b.shape[0] !== x.shape[x.ndim - 1]) {
    const want =
      x.ndim === 0 ? 'x must have at least one axis' : `b must have shape [${x.shape[x.ndim - 1]}], one value per column of x ${formatShape(x.shape)}`;
    throw new ShapeError('addBias', [x.shape, b.shape], want);
  }
  const n = x.shape[x.ndim - 1]!;
  if (out && !sameShape(out.shape, x.shape)) {
    throw new ShapeError('addBias', [x.shape, b.shape, out.shape], `out has shape ${formatShape(out.shape)} but must have x's shape ${formatShape(x.shape)}`);
  }
  const o = out ?? new Tensor(allocate(x.dtype, x.size), x.shape);
  addBiasKernel.run({ x: x.data, b: b.data, out: o.data, n });
  return o;
}

interface AddBiasCall {
  x: TypedArray;
  b: TypedArray;
  out: TypedArray;
  /** Columns: b's length. */
  n: number;
}

const addBiasKernel = defineKernel<AddBiasCall, void>({
  name: 'addBias',
  placement: 'placed',
  minSize: WASM_MIN_ELEMENTS,
  operands: { x: 'read', b: 'read', out: 'write' },
  size: (c) => c.x.length,
  reference({ x: X, b: B, out: O, n }) {
    for (let r = 0; r < X.length; r += n) for (let j = 0; j < n; j++) O[r + j] = X[r + j]! + B[j]!;
  },
  wasm: (K, at, { x, n }) => K.addBias(at.x, at.b, at.out, n === 0 ? 0 : x.length / n, n),
});
