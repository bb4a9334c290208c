import { overlaps, wasmRuntime } from './backend.js';
import { defineKernel } from './kernel.js';
import { formatShape, ShapeError, sameShape } from './shape.js';
import { allocate, type TypedArray, Tensor } from './tensor.js';
import { scratchSize } from './wasm/runtime.js';

export interface MatmulOptions {
  /** Use Aᵀ in place of A (A is read transposed, not copied). */
  transA?: boolean;
  /** Use Bᵀ in place of B. */
  transB?: boolean;
  /** Write C here (its old values are overwritten) instead of allocating. */
  out?: Tensor;
}

let packF32 = new Float32Array(0);
let packF64 = new Float64Array(0);
let nzIndex = new Int32Array(0);
let nzValue = new Float64Array(0);

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
 * Whether the WASM kernels should skip A's zeros: the sparse kernel sums over a row's nonzeros in
 * strips of up to 28 columns, as efficient per multiply-add as the dense 4×8 tiles when n is wide
 * and less so when n is narrow. Where the sparse kernel starts to win, timed on random zeros
 * (Node 20, x64): about 20% zeros for 100×50·50×784, 45% for 100×784·784×50, 60% for 100×50·50×10.
 * When B is larger than L2 (k·n over 2^16 floats, such as SimpleConvNet's 4320×100 affine) every
 * row of A streams B again while the dense kernel packs it once: about 50% to 60% zeros for
 * 100×4320·4320×100, 100×100·(4320×100)ᵀ and (100×4320)ᵀ·100×100.
 */
function wasmSparse(zeros: number, n: number, k: number): boolean {
  if (k * n > 65536) return zeros >= 0.55;
  return zeros >= (n >= 128 ? 0.25 : n >= 32 ? 0.45 : 0.65);
}

/**
 * Below this many multiply-adds a call stays in TypeScript: at 1024 (8×16·16×8) WASM with its
 * copies takes 0.7 µs and TypeScript 1.3 µs; below, both take about a microsecond.
 */
const WASM_MIN_MACS = 1024;

/** Fraction of zeros among up to 256 evenly spaced elements of `data` (cheap and deterministic). */
export function sampledZeroFraction(data: TypedArray): number {
  const len = data.length;
  if (len === 0) return 0;
  const step = Math.max(1, Math.floor(len / 256));
  let zeros = 0;
  let seen = 0;
  for (let i = 0; i < len; i += step) {
    if (data[i] === 0) zeros++;
    seen++;
  }
  return zeros / seen;
}

/**
 * C = op(A) · op(B) for 2-D tensors, where op transposes when asked: the three forms of
 * backprop are A·B (forward), A·Bᵀ (dx = dout·Wᵀ) and Aᵀ·B (dW = xᵀ·dout).
 *
 * float32 operands and result run on the active backend (see setBackend): WASM SIMD when it is
 * on and the product is large enough, else TypeScript. When A has many zeros (MNIST pixels,
 * ReLU outputs) the kernels skip them element by element: the same sums over the nonzero terms, in
 * the same order of p. Like sparse
 * BLAS, a skipped 0 · NaN or 0 · ±Infinity then counts as 0, so with a non-finite B the backends
 * may differ where A is zero; with every value finite they agree within float32 rounding.
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
    if (overlaps(c.data, a.data) || overlaps(c.data, b.data)) {
      throw new ShapeError('matmul', [a.shape, b.shape, c.shape], 'out must not share memory with an operand');
    }
  } else {
    c = new Tensor(allocate(dtype, m * n), [m, n]);
  }
  matmulKernel.run({ A: a.data, B: b.data, C: c.data, m, n, k, transA, transB, sparse: false, parts: 1, byRows: false });
  return c;
}

/**
 * Columns of A that Aᵀ·B transposes at a time: 32 columns of a batch of 100 are 12.8 KB, which
 * stay in L1 beside the rows of B while their products are summed.
 */
const AT_ROWS = 32;

interface MatmulCall {
  A: TypedArray;
  B: TypedArray;
  C: TypedArray;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  /** Whether the WASM kernels skip A's zeros: decided on the WASM path, in scratchBytes. */
  sparse: boolean;
  /** Threads the WASM call is split over: decided in scratchBytes. */
  parts: number;
  /** Whether a dense split is by rows of C rather than by strips of 8 columns: decided in scratchBytes. */
  byRows: boolean;
}

/**
 * A part of a split product gets at least this many multiply-adds (about 0.25 ms of work): the
 * chapter-5 step's products (3.9M multiply-adds at most) stay on one thread, where a second
 * thread's handovers and spinning made whole training runs slower as often as faster; the conv
 * net's (43M) are split.
 */
const MIN_MACS_PER_PART = 1 << 22;

/**
 * Whether splitting a dense product over `parts` threads by rows of C leaves the busiest thread
 * less work than splitting by strips of 8 columns: 100 columns are 13 strips, 7 for one of two
 * threads (54% of the work), where 100 rows split 50/50. Only with at least 64 rows per part,
 * since each part then packs every strip of B itself (the 100×4320 affine forward packs its
 * 1.7 MB W faster once, by strips; its 4320×100 weight gradient is faster by rows). Either way
 * each element of C is computed as one thread computes it.
 */
function rowsBalanceBetter(m: number, n: number, parts: number): boolean {
  if (m < 64 * parts) return false;
  const strips = Math.ceil(n / 8);
  const stripShare = Math.ceil(strips / parts) / strips;
  const rowShare = Math.ceil(m / parts) / m;
  return rowShare < stripShare;
}

/** Scratch of one part of a call: B's packed strip, or the nonzeros of a row and room for a block of Aᵀ. */
function partScratch(c: MatmulCall): number {
  if (!c.sparse) return scratchSize(32 * c.k);
  return 2 * scratchSize(4 * c.k) + (c.transA ? scratchSize(4 * Math.min(c.m, AT_ROWS) * c.k) : 0);
}

/**
 * C = op(A) · op(B) in WASM for the forms A·B, A·Bᵀ and Aᵀ·B (Aᵀ·Bᵀ runs in TypeScript), with
 * JS-heap operands copied through scratch: the arithmetic is worth a copy. With threads, a large
 * product is split: the dense kernel by strips of 8 columns (each thread packs only its own
 * strips of B) or by rows when C is narrow, the sparse kernels by rows; every element of C is
 * computed as one thread would compute it.
 */
const matmulKernel = defineKernel<MatmulCall, void>({
  name: 'matmul',
  placement: 'copy',
  minSize: WASM_MIN_MACS,
  operands: { A: 'read', B: 'read', C: 'write' },
  size: (c) => c.m * c.n * c.k,
  supports: (c) => !(c.transA && c.transB),
  scratchBytes(c) {
    c.sparse = wasmSparse(sampledZeroFraction(c.A), c.n, c.k);
    const parts = wasmRuntime()?.partsFor(c.m * c.n * c.k, MIN_MACS_PER_PART) ?? 1;
    c.byRows = c.sparse || c.n < 16 || (parts > 1 && rowsBalanceBetter(c.m, c.n, parts));
    c.parts = Math.min(parts, c.byRows ? c.m : Math.ceil(c.n / 8));
    // Bᵀ for the sparse A·Bᵀ, shared by every part.
    return c.parts * partScratch(c) + (c.sparse && c.transB ? scratchSize(4 * c.n * c.k) : 0);
  },
  reference: (c) => matmulJs(c.A, c.B, c.C, c.m, c.n, c.k, c.transA, c.transB),
  wasm(K, at, c, rt) {
    const { m, n, k, transA, transB, sparse, parts } = c;
    const scratch = rt.scratchParts(parts, partScratch(c));
    if (sparse) {
      let b = at.B;
      if (transB) {
        b = rt.scratch(4 * n * k);
        K.transpose(at.B, n, k, b);
      }
      if (transA) {
        rt.split('gemmSparseATRows', parts, m, (r0, r1, p, args) => {
          const s = scratch[p]!;
          args.push(m, n, k, at.A, b, at.C, s + 8 * k, AT_ROWS, s, s + 4 * k, r0, r1);
        });
      } else {
        rt.split('gemmSparseA', parts, m, (r0, r1, p, args) => {
          const s = scratch[p]!;
          args.push(r1 - r0, n, k, at.A + 4 * r0 * k, b, at.C + 4 * r0 * n, s, s + 4 * k);
        });
      }
      return;
    }
    // op(A)(i, p) at a + 4(i·ai + p·ap); op(B)(p, j) at b + 4(p·br + j·bc).
    const ai = transA ? 1 : k;
    const ap = transA ? m : 1;
    const br = transB ? 1 : n;
    const bc = transB ? k : 1;
    if (!c.byRows) {
      rt.split('gemmColumns', parts, Math.ceil(n / 8), (s0, s1, p, args) => {
        args.push(m, n, k, at.A, ai, ap, at.B, br, bc, at.C, scratch[p]!, 8 * s0, Math.min(n, 8 * s1));
      });
    } else {
      rt.split('gemm', parts, m, (r0, r1, p, args) => {
        args.push(r1 - r0, n, k, at.A + 4 * r0 * ai, ai, ap, at.B, br, bc, at.C + 4 * r0 * n, scratch[p]!);
      });
    }
  },
});

/** The TypeScript reference kernel: C (m×n) = op(A) · op(B), overwriting C. */
function matmulJs(A: TypedArray, B: TypedArray, C: TypedArray, m: number, n: number, k: number, transA: boolean, transB: boolean): void {
  // B is read row by row; a transposed B is packed into scratch first.
  if (transB) {
    const packed = scratch(B, k * n);
    for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) packed[p * n + j] = B[j * k + p]!;
    B = packed;
  }
  // A element (i, p) lives at A[i * ai + p * ap].
  gemmRows(m, n, k, A, transA ? 1 : k, transA ? m : 1, B, C);
}

/** Columns of B (and C) per cache block: a k×64 block of B stays in L2 while every row of A sweeps it. */
const NB = 64;

/**
 * C (m×n) = A · B for A with element (i, p) at A[i·ai + p·ap] and a row-major B (k×n).
 * Cache-blocked over the columns of B (blocks of NB), then row by row: list the nonzero A[i, p]
 * (MNIST pixels are 81% zeros, ReLU outputs about half), then C[i, j] = Σ_p A[i, p] · B[p, j]
 * over them, in order of p, four columns at a time in float64 registers, rounded to C's dtype
 * once. A zero of A is skipped, so, like sparse BLAS, 0 · NaN counts as 0. On dense A it is
 * still faster than updating C in memory (no stores in the loop).
 */
function gemmRows(m: number, n: number, k: number, A: TypedArray, ai: number, ap: number, B: TypedArray, C: TypedArray): void {
  if (nzIndex.length < k) {
    nzIndex = new Int32Array(k);
    nzValue = new Float64Array(k);
  }
  const idx = nzIndex;
  const val = nzValue;
  for (let j0 = 0; j0 < n; j0 += NB) {
    const j1 = Math.min(n, j0 + NB);
    for (let i = 0; i < m; i++) {
      let nnz = 0;
      for (let p = 0; p < k; p++) {
        const a = A[i * ai + p * ap]!;
        if (a !== 0) {
          idx[nnz] = p * n;
          val[nnz] = a;
          nnz++;
        }
      }
      const c0 = i * n;
      let j = j0;
      for (; j + 4 <= j1; j += 4) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let q = 0; q < nnz; q++) {
          const a = val[q]!;
          const b = idx[q]! + j;
          s0 += a * B[b]!;
          s1 += a * B[b + 1]!;
          s2 += a * B[b + 2]!;
          s3 += a * B[b + 3]!;
        }
        C[c0 + j] = s0;
        C[c0 + j + 1] = s1;
        C[c0 + j + 2] = s2;
        C[c0 + j + 3] = s3;
      }
      for (; j < j1; j++) {
        let s = 0;
        for (let q = 0; q < nnz; q++) s += val[q]! * B[idx[q]! + j]!;
        C[c0 + j] = s;
      }
    }
  }
}
