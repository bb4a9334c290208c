import { formatShape, ShapeError, sameShape, shapeSize } from './shape.js';
import { allocate, Tensor } from './tensor.js';

export interface ReduceOptions {
  /** Keep the reduced axis with size 1, so the result broadcasts against the input. */
  keepDims?: boolean;
  /** Write the result here instead of allocating. */
  out?: Tensor;
}

/** Splits a shape around `axis` into [outer, length, inner] for reduction loops. */
function split(op: string, a: Tensor, axis: number): { outer: number; len: number; inner: number; ax: number } {
  const ax = axis < 0 ? axis + a.ndim : axis;
  if (!Number.isInteger(ax) || ax < 0 || ax >= a.ndim) {
    throw new ShapeError(op, [a.shape], `axis ${axis} does not exist on a tensor with ${a.ndim} axes`);
  }
  return {
    outer: shapeSize(a.shape.slice(0, ax)),
    len: a.shape[ax]!,
    inner: shapeSize(a.shape.slice(ax + 1)),
    ax,
  };
}

function reduceAxis(
  op: string,
  a: Tensor,
  axis: number,
  opts: ReduceOptions,
  init: (x: number) => number,
  step: (acc: number, x: number) => number,
  finish: (acc: number, len: number) => number,
): Tensor {
  const { outer, len, inner, ax } = split(op, a, axis);
  if (len === 0) throw new ShapeError(op, [a.shape], `axis ${axis} is empty`);
  const shape = opts.keepDims ? a.shape.map((d, i) => (i === ax ? 1 : d)) : a.shape.filter((_, i) => i !== ax);
  const o = opts.out ?? new Tensor(allocate(a.dtype, outer * inner), shape);
  if (opts.out && !sameShape(o.shape, shape)) {
    throw new ShapeError(op, [o.shape, shape], `out has shape ${formatShape(o.shape)} but the result has ${formatShape(shape)}`);
  }
  const A = a.data;
  const O = o.data;
  if (step === plus && inner > 1) {
    // Sums (sum, mean) along a leading axis, such as db = Σ dout over the batch: add whole rows
    // into float64 accumulators, in the same order per element as the loop below, so the same bits.
    if (rowSums.length < inner) rowSums = new Float64Array(inner);
    const acc = rowSums;
    for (let p = 0; p < outer; p++) {
      const base = p * len * inner;
      for (let q = 0; q < inner; q++) acc[q] = A[base + q]!;
      for (let i = 1; i < len; i++) {
        const row = base + i * inner;
        for (let q = 0; q < inner; q++) acc[q] = acc[q]! + A[row + q]!;
      }
      for (let q = 0; q < inner; q++) O[p * inner + q] = finish(acc[q]!, len);
    }
    return o;
  }
  for (let p = 0; p < outer; p++) {
    const base = p * len * inner;
    for (let q = 0; q < inner; q++) {
      let acc = init(A[base + q]!);
      for (let i = 1; i < len; i++) acc = step(acc, A[base + i * inner + q]!);
      O[p * inner + q] = finish(acc, len);
    }
  }
  return o;
}

let rowSums = new Float64Array(0);

const id = (x: number): number => x;
const plus = (acc: number, x: number): number => acc + x;
const larger = (acc: number, x: number): number => (x > acc || Number.isNaN(x) ? x : acc);
const smaller = (acc: number, x: number): number => (x < acc || Number.isNaN(x) ? x : acc);

/** Sum of all elements, or along `axis`. */
export function sum(a: Tensor): number;
export function sum(a: Tensor, axis: number, opts?: ReduceOptions): Tensor;
export function sum(a: Tensor, axis?: number, opts: ReduceOptions = {}): number | Tensor {
  if (axis === undefined) {
    let s = 0;
    for (let i = 0; i < a.size; i++) s += a.data[i]!;
    return s;
  }
  return reduceAxis('sum', a, axis, opts, id, plus, id);
}

export function mean(a: Tensor): number;
export function mean(a: Tensor, axis: number, opts?: ReduceOptions): Tensor;
export function mean(a: Tensor, axis?: number, opts: ReduceOptions = {}): number | Tensor {
  if (axis === undefined) {
    if (a.size === 0) throw new ShapeError('mean', [a.shape], 'the tensor is empty');
    return sum(a) / a.size;
  }
  return reduceAxis('mean', a, axis, opts, id, plus, (acc, n) => acc / n);
}

/** Largest element (NaN if any element is NaN), or along `axis`. */
export function max(a: Tensor): number;
export function max(a: Tensor, axis: number, opts?: ReduceOptions): Tensor;
export function max(a: Tensor, axis?: number, opts: ReduceOptions = {}): number | Tensor {
  if (axis === undefined) {
    if (a.size === 0) throw new ShapeError('max', [a.shape], 'the tensor is empty');
    let m = a.data[0]!;
    for (let i = 1; i < a.size; i++) m = larger(m, a.data[i]!);
    return m;
  }
  return reduceAxis('max', a, axis, opts, id, larger, id);
}

export function min(a: Tensor): number;
export function min(a: Tensor, axis: number, opts?: ReduceOptions): Tensor;
export function min(a: Tensor, axis?: number, opts: ReduceOptions = {}): number | Tensor {
  if (axis === undefined) {
    if (a.size === 0) throw new ShapeError('min', [a.shape], 'the tensor is empty');
    let m = a.data[0]!;
    for (let i = 1; i < a.size; i++) m = smaller(m, a.data[i]!);
    return m;
  }
  return reduceAxis('min', a, axis, opts, id, smaller, id);
}

/** Index of the largest element of the flattened tensor (the first, on ties). */
export function argmax(a: Tensor): number;
/** Index of the largest element along `axis`, for every position of the other axes. */
export function argmax(a: Tensor, axis: number): Int32Array;
export function argmax(a: Tensor, axis?: number): number | Int32Array {
  if (axis === undefined) {
    if (a.size === 0) throw new ShapeError('argmax', [a.shape], 'the tensor is empty');
    // The first NaN wins, as in NumPy; otherwise the first of the largest.
    let best = 0;
    for (let i = 0; i < a.size; i++) {
      if (Number.isNaN(a.data[i]!)) return i;
      if (a.data[i]! > a.data[best]!) best = i;
    }
    return best;
  }
  const { outer, len, inner } = split('argmax', a, axis);
  if (len === 0) throw new ShapeError('argmax', [a.shape], `axis ${axis} is empty`);
  const out = new Int32Array(outer * inner);
  const A = a.data;
  for (let p = 0; p < outer; p++) {
    const base = p * len * inner;
    for (let q = 0; q < inner; q++) {
      let best = 0;
      let bestValue = A[base + q]!;
      for (let i = 1; i < len && !Number.isNaN(bestValue); i++) {
        const v = A[base + i * inner + q]!;
        if (v > bestValue || Number.isNaN(v)) {
          best = i;
          bestValue = v;
        }
      }
      out[p * inner + q] = best;
    }
  }
  return out;
}
