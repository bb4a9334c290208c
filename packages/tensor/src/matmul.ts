import { formatShape, ShapeError, sameShape } from './shape.js';
import { allocate, type TypedArray, Tensor } from './tensor.js';

export interface MatmulOptions {
  /** Use Aᵀ in place of A (A is read transposed, not copied). */
  transA?: boolean;
  /** Use Bᵀ in place of B. */
  transB?: boolean;
  /** Write C here (its old values are overwritten) instead of allocating. */
  out?: Tensor;
}

// Panel sizes of the blocked kernel: a KC×NC panel of B stays in L2 (64×256 doubles = 128 KiB)
// while MR rows of C (MR×NC) stay in L1 and get MR multiply-adds per B element loaded.
const KC = 64;
const NC = 256;
const MR = 4;

let packF32 = new Float32Array(0);
let packF64 = new Float64Array(0);

/** A scratch buffer reused across calls so that a steady-state training step allocates nothing. */
function scratch(like: TypedArray, size: number): TypedArray {
  if (like instanceof Float32Array) {
    if (packF32.length < size) packF32 = new Float32Array(size);
    return packF32;
  }
  if (packF64.length < size) packF64 = new Float64Array(size);
  return packF64;
}

/**
 * C = op(A) · op(B) for 2-D tensors, where op transposes when asked: the three forms of
 * backprop are A·B (forward), A·Bᵀ (dx = dout·Wᵀ) and Aᵀ·B (dW = xᵀ·dout).
 */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  const { transA = false, transB = false } = opts;
  if (a.ndim !== 2 || b.ndim !== 2) {
    throw new ShapeError('matmul', [a.shape, b.shape], 'both operands must be 2-D (reshape first)');
  }
  const m = transA ? a.shape[1]! : a.shape[0]!;
  const k = transA ? a.shape[0]! : a.shape[1]!;
  const kb = transB ? b.shape[1]! : b.shape[0]!;
  const n = transB ? b.shape[0]! : b.shape[1]!;
  if (k !== kb) {
    const left = `${transA ? 'Aᵀ' : 'A'} ${formatShape([m, k])}`;
    const right = `${transB ? 'Bᵀ' : 'B'} ${formatShape([kb, n])}`;
    throw new ShapeError('matmul', [a.shape, b.shape], `cannot multiply ${left} by ${right}: inner sizes ${k} and ${kb} differ`);
  }
  const dtype = a.dtype === 'float64' || b.dtype === 'float64' ? 'float64' : 'float32';
  let c: Tensor;
  if (opts.out) {
    c = opts.out;
    if (!sameShape(c.shape, [m, n])) {
      throw new ShapeError('matmul', [a.shape, b.shape, c.shape], `out must have shape ${formatShape([m, n])}`);
    }
    if (c.data === a.data || c.data === b.data) {
      throw new ShapeError('matmul', [a.shape, b.shape, c.shape], 'out must not share memory with an operand');
    }
  } else {
    c = new Tensor(allocate(dtype, m * n), [m, n]);
  }
  // B is read row by row in the inner loop; a transposed B is packed into scratch first.
  let B = b.data;
  if (transB) {
    const packed = scratch(B, k * n);
    for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) packed[p * n + j] = B[j * k + p]!;
    B = packed;
  }
  // A element (i, p) lives at A[i * ai + p * ap].
  const ai = transA ? 1 : k;
  const ap = transA ? m : 1;
  gemm(m, n, k, a.data, ai, ap, B, c.data);
  return c;
}

/** C (m×n) = A (element (i,p) at i·ai + p·ap) · B (k×n row-major), blocked over k and n. */
function gemm(m: number, n: number, k: number, A: TypedArray, ai: number, ap: number, B: TypedArray, C: TypedArray): void {
  C.fill(0, 0, m * n);
  for (let p0 = 0; p0 < k; p0 += KC) {
    const p1 = Math.min(p0 + KC, k);
    for (let j0 = 0; j0 < n; j0 += NC) {
      const j1 = Math.min(j0 + NC, n);
      let i = 0;
      for (; i + MR <= m; i += MR) {
        const c0 = i * n;
        const c1 = c0 + n;
        const c2 = c1 + n;
        const c3 = c2 + n;
        for (let p = p0; p < p1; p++) {
          const a0 = A[i * ai + p * ap]!;
          const a1 = A[(i + 1) * ai + p * ap]!;
          const a2 = A[(i + 2) * ai + p * ap]!;
          const a3 = A[(i + 3) * ai + p * ap]!;
          // Skips a B row that all four rows would multiply by zero (MNIST borders, dead ReLUs);
          // like sparse BLAS, 0 · NaN then counts as 0.
          if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) continue;
          const bRow = p * n;
          for (let j = j0; j < j1; j++) {
            const bv = B[bRow + j]!;
            C[c0 + j] = C[c0 + j]! + a0 * bv;
            C[c1 + j] = C[c1 + j]! + a1 * bv;
            C[c2 + j] = C[c2 + j]! + a2 * bv;
            C[c3 + j] = C[c3 + j]! + a3 * bv;
          }
        }
      }
      for (; i < m; i++) {
        const c0 = i * n;
        for (let p = p0; p < p1; p++) {
          const a0 = A[i * ai + p * ap]!;
          if (a0 === 0) continue;
          const bRow = p * n;
          for (let j = j0; j < j1; j++) C[c0 + j] = C[c0 + j]! + a0 * B[bRow + j]!;
        }
      }
    }
  }
}

/** Reverses the axes (or permutes them as `perm` says) into a new contiguous tensor. */
export function transpose(a: Tensor, perm?: readonly number[]): Tensor {
  const nd = a.ndim;
  const axes = perm ? [...perm] : a.shape.map((_, i) => nd - 1 - i);
  const seen = new Set(axes);
  if (axes.length !== nd || seen.size !== nd || axes.some((x) => !Number.isInteger(x) || x < 0 || x >= nd)) {
    throw new ShapeError('transpose', [a.shape], `[${axes.join(', ')}] is not a permutation of the ${nd} axes`);
  }
  const shape = axes.map((x) => a.shape[x]!);
  const out = new Tensor(allocate(a.dtype, a.size), shape);
  const A = a.data;
  const O = out.data;
  if (nd === 2 && axes[0] === 1) {
    const r = a.shape[0]!;
    const c = a.shape[1]!;
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) O[j * r + i] = A[i * c + j]!;
    return out;
  }
  const inStrides = new Array<number>(nd);
  let s = 1;
  for (let i = nd - 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= a.shape[i]!;
  }
  const strides = axes.map((x) => inStrides[x]!);
  const idx = new Array<number>(nd).fill(0);
  let src = 0;
  for (let k = 0; k < O.length; k++) {
    O[k] = A[src]!;
    for (let ax = nd - 1; ax >= 0; ax--) {
      idx[ax]!++;
      src += strides[ax]!;
      if (idx[ax]! < shape[ax]!) break;
      src -= strides[ax]! * shape[ax]!;
      idx[ax] = 0;
    }
  }
  return out;
}
