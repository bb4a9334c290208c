import { overlaps } from './backend.js';
import { defineKernel, WASM_MIN_ELEMENTS } from './kernel.js';
import { formatShape, ShapeError, sameShape } from './shape.js';
import { allocate, Tensor, type TypedArray } from './tensor.js';

/**
 * Reverses the axes (or permutes them as `perm` says) into a contiguous tensor: `out` when given
 * (the permuted shape, any dtype, no memory shared with `a`; no data is allocated), else a new one
 * on the JS heap. A 2-D float32 transpose runs in WASM when both live in WASM memory.
 */
export function transpose(a: Tensor, perm?: readonly number[], out?: Tensor): Tensor {
  const nd = a.ndim;
  const axes = perm ? [...perm] : a.shape.map((_, i) => nd - 1 - i);
  const seen = new Set(axes);
  if (axes.length !== nd || seen.size !== nd || axes.some((x) => !Number.isInteger(x) || x < 0 || x >= nd)) {
    throw new ShapeError('transpose', [a.shape], `[${axes.join(', ')}] is not a permutation of the ${nd} axes`);
  }
  const shape = axes.map((x) => a.shape[x]!);
  if (out !== undefined) {
    if (!sameShape(out.shape, shape)) {
      throw new ShapeError('transpose', [a.shape, out.shape], `out has shape ${formatShape(out.shape)} but the result has ${formatShape(shape)}`);
    }
    if (a.size > 0 && overlaps(out.data, a.data)) throw new ShapeError('transpose', [a.shape, out.shape], 'out must not share memory with the input');
  }
  const o = out ?? new Tensor(allocate(a.dtype, a.size), shape);
  // Axes that stay in order are a plain copy.
  if (axes.every((x, i) => x === i)) o.data.set(a.data);
  else transposeKernel.run({ a: a.data, out: o.data, shape: a.shape, axes });
  return o;
}

interface TransposeCall {
  a: TypedArray;
  out: TypedArray;
  /** a's shape, and the axis of a that each axis of out is. */
  shape: readonly number[];
  axes: readonly number[];
}

/** Element-wise cheap: runs in WASM only in place, and only for 2-D (the one form with a WASM entry). */
const transposeKernel = defineKernel<TransposeCall, void>({
  name: 'transpose',
  placement: 'placed',
  minSize: WASM_MIN_ELEMENTS,
  operands: { a: 'read', out: 'write' },
  size: (c) => c.a.length,
  supports: (c) => c.shape.length === 2,
  reference: ({ a, out, shape, axes }) => transposeJs(a, out, shape, axes),
  wasm: (K, at, { shape }) => K.transpose(at.a, shape[0]!, shape[1]!, at.out),
});

/** The TypeScript reference: out[..., i_axes[j], ...] = a[i], walking out in order. */
function transposeJs(A: TypedArray, O: TypedArray, shape: readonly number[], axes: readonly number[]): void {
  const nd = shape.length;
  if (nd === 2) {
    const r = shape[0]!;
    const c = shape[1]!;
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) O[j * r + i] = A[i * c + j]!;
    return;
  }
  const outShape = axes.map((x) => shape[x]!);
  const inStrides = new Array<number>(nd);
  let s = 1;
  for (let i = nd - 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= shape[i]!;
  }
  const strides = axes.map((x) => inStrides[x]!);
  const idx = new Array<number>(nd).fill(0);
  let src = 0;
  for (let k = 0; k < O.length; k++) {
    O[k] = A[src]!;
    for (let ax = nd - 1; ax >= 0; ax--) {
      idx[ax]!++;
      src += strides[ax]!;
      if (idx[ax]! < outShape[ax]!) break;
      src -= strides[ax]! * outShape[ax]!;
      idx[ax] = 0;
    }
  }
}
