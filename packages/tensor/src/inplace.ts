import { add, div, mul, sub } from './elementwise.js';
import { defineKernel, WASM_MIN_ELEMENTS } from './kernel.js';
import { formatShape, ShapeError, sameShape } from './shape.js';
import type { Tensor, TypedArray } from './tensor.js';

// In-place updates for optimizers and layers: they write into their first argument and allocate nothing.

/** a += b (b broadcasts to a's shape). */
export function addInPlace(a: Tensor, b: Tensor | number): Tensor {
  return add(a, b, a);
}
/** a -= b. */
export function subInPlace(a: Tensor, b: Tensor | number): Tensor {
  return sub(a, b, a);
}
/** a *= b. */
export function mulInPlace(a: Tensor, b: Tensor | number): Tensor {
  return mul(a, b, a);
}
/** a /= b. */
export function divInPlace(a: Tensor, b: Tensor | number): Tensor {
  return div(a, b, a);
}

/** a *= s. */
export function scaleInPlace(a: Tensor, s: number): Tensor {
  const A = a.data;
  for (let i = 0; i < A.length; i++) A[i] = A[i]! * s;
  return a;
}

/**
 * y += alpha · x (BLAS axpy): the SGD step is axpy(-lr, grad, param). Computed in float64 and
 * rounded to y's dtype once, on either backend (WASM when both live in WASM memory).
 */
export function axpy(alpha: number, x: Tensor, y: Tensor): Tensor {
  if (!sameShape(x.shape, y.shape)) {
    throw new ShapeError('axpy', [x.shape, y.shape], `x ${formatShape(x.shape)} and y ${formatShape(y.shape)} must have the same shape`);
  }
  axpyKernel.run({ alpha, x: x.data, y: y.data });
  return y;
}

const axpyKernel = defineKernel<{ alpha: number; x: TypedArray; y: TypedArray }, void>({
  name: 'axpy',
  placement: 'placed',
  minSize: WASM_MIN_ELEMENTS,
  operands: { x: 'read', y: 'readwrite' },
  size: (c) => c.y.length,
  reference({ alpha, x: X, y: Y }) {
    for (let i = 0; i < Y.length; i++) Y[i] = Y[i]! + alpha * X[i]!;
  },
  wasm: (K, at, { alpha, y }) => K.axpy(alpha, at.x, at.y, y.length),
});

export function fill(a: Tensor, value: number): Tensor {
  a.data.fill(value);
  return a;
}

/** Copies src's values into dst (same number of elements; dtype converts). */
export function copyInto(dst: Tensor, src: Tensor): Tensor {
  if (dst.size !== src.size) {
    throw new ShapeError('copyInto', [dst.shape, src.shape], `dst holds ${dst.size} elements, src ${src.size}`);
  }
  dst.data.set(src.data);
  return dst;
}
