import { defineKernel, WASM_MIN_ELEMENTS } from './kernel.js';
import { formatShape, ShapeError, sameShape } from './shape.js';
import { allocate, Tensor, type TypedArray } from './tensor.js';

function checkSame(op: string, what: string, t: Tensor, like: Tensor): void {
  if (!sameShape(t.shape, like.shape)) {
    throw new ShapeError(op, [like.shape, t.shape], `${what} has shape ${formatShape(t.shape)} but must have ${formatShape(like.shape)}`);
  }
}

/**
 * 5.5.1 ReLU forward: y = x where x > 0, else 0 (NaN passes through, as in the book's
 * `out[x <= 0] = 0`). Writes `out` (x's shape; may be x itself) or a new tensor of x's dtype.
 */
export function relu(x: Tensor, out?: Tensor): Tensor {
  if (out) checkSame('relu', 'out', out, x);
  const y = out ?? new Tensor(allocate(x.dtype, x.size), x.shape);
  reluKernel.run({ x: x.data, y: y.data });
  return y;
}

/**
 * 5.5.1 ReLU backward: dx = dout where the forward value is > 0, else 0. `y` may be the forward
 * input x or the forward output relu(x): both are > 0 at the same places (and both NaN where x
 * is), so a layer need keep no mask. Writes `out` (may be dout itself) or a new tensor.
 */
export function reluBackward(dout: Tensor, y: Tensor, out?: Tensor): Tensor {
  checkSame('reluBackward', 'dout', dout, y);
  if (out) checkSame('reluBackward', 'out', out, y);
  const dx = out ?? new Tensor(allocate(dout.dtype, dout.size), dout.shape);
  reluBackwardKernel.run({ dout: dout.data, y: y.data, dx: dx.data });
  return dx;
}

const reluKernel = defineKernel<{ x: TypedArray; y: TypedArray }, void>({
  name: 'relu',
  placement: 'placed',
  minSize: WASM_MIN_ELEMENTS,
  operands: { x: 'read', y: 'write' },
  size: (c) => c.x.length,
  reference({ x: X, y: Y }) {
    for (let i = 0; i < X.length; i++) {
      const v = X[i]!;
      Y[i] = v <= 0 ? 0 : v;
    }
  },
  wasm: (_K, at, { x }, rt) => rt.elementwise('relu', x.length, [at.x, at.y]),
});

const reluBackwardKernel = defineKernel<{ dout: TypedArray; y: TypedArray; dx: TypedArray }, void>({
  name: 'reluBackward',
  placement: 'placed',
  minSize: WASM_MIN_ELEMENTS,
  operands: { dout: 'read', y: 'read', dx: 'write' },
  size: (c) => c.dout.length,
  reference({ dout: D, y: Y, dx: DX }) {
    for (let i = 0; i < D.length; i++) DX[i] = Y[i]! <= 0 ? 0 : D[i]!;
  },
  wasm: (_K, at, { dout }, rt) => rt.elementwise('reluBackward', dout.length, [at.dout, at.y, at.dx]),
});
