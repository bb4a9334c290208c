import { formatShape, ShapeError } from './shape.js';
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
  let outer = 1;
  for (let i = 0; i < ax; i++) outer *= a.shape[i]!;
  let inner = 1;
  for (let i = ax + 1; i < a.ndim; i++) inner *= a.shape[i]!;
  return { outer, len: a.shape[ax]!, inner, ax };
}

/** The shape of a reduced along `ax`: without that axis, or with it as 1 (keepDims). */
function reducedShape(a: Tensor, ax: number, keepDims: boolean | undefined): number[] {
  return keepDims ? a.shape.map((d, i) => (i === ax ? 1 : d)) : a.shape.filter((_, i) => i !== ax);
}

/** Whether `shape` is a's shape reduced along `ax`, checked without building that shape (a training step's db). */
function isReducedShape(shape: readonly number[], a: Tensor, ax: number, keepDims: boolean | undefined): boolean {
  if (keepDims) {
    if (shape.length !== a.ndim) return false;
    for (let i = 0; i < a.ndim; i++) if (shape[i] !== (i === ax ? 1 : a.shape[i])) return false;
    return true;
  }
  if (shape.length !== a.ndim - 1) return false;
  for (let i = 0; i < shape.length; i++) if (shape[i] !== a.shape[i < ax ? i : i + 1]) return false;
  return true;
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
  const out = opts.out;
  if (out !== undefined && !isReducedShape(out.shape, a, ax, opts.keepDims)) {
    const shape = reducedShape(a, ax, opts.keepDims);
    throw new ShapeError(op, [out.shape, shape], `out has shape ${formatShape(out.shape)} but the result has ${formatShape(shape)}`);
  }
  const o = out ?? new Tensor(allocate(a.dtype, outer * inner), reducedShape(a, ax, opts.keepDims));
  const A = a.data;
  const O = o.data;
  if (step === plus && inner > 1) {
    // Sums (sum, mean) along a leading axis, such as db = Σ dout over the batch: four columns at
    // a time in float64 registers, each summed down the rows in the same order as the loop below
    // (so the same bits), reading every row's four neighbours together.
    for (let p = 0; p < outer; p++) {
      const base = p * len * inner;
      const at = p * inner;
      let q = 0;
      for (; q + 4 <= inner; q += 4) {
        let s0 = A[base + q]!;
        let s1 = A[base + q + 1]!;
        let s2 = A[base + q + 2]!;
        let s3 = A[base + q + 3]!;
        for (let r = base + inner + q; r < base + len * inner; r += inner) {
          s0 += A[r]!;
          s1 += A[r + 1]!;
          s2 += A[r + 2]!;
          s3 += A[r + 3]!;
        }
        O[at + q] = finish(s0, len);
        O[at + q + 1] = finish(s1, len);
        O[at + q + 2] = finish(s2, len);
        O[at + q + 3] = finish(s3, len);
      }
      for (; q < inner; q++) {
        let s = A[base + q]!;
        for (let r = base + inner + q; r < base + len * inner; r += inner) s += A[r]!;
        O[at + q] = finish(s, len);
      }
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
