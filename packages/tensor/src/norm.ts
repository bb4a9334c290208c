import { defineKernel, WASM_MIN_ELEMENTS } from './kernel.js';
import type { Rng } from './rng.js';
import { formatShape, ShapeError, sameShape } from './shape.js';
import type { Tensor, TypedArray } from './tensor.js';
import { scratchSize } from './wasm/runtime.js';

// Chapter 6's Batch Normalization and Dropout as kernels: WASM SIMD for float32
// (assembly/norm.ts), the TypeScript references below for float64 and as the fallback.

export interface BatchNormOptions {
  /** A training pass (the batch's statistics) or an evaluation pass (the running ones). */
  train: boolean;
  /** A training pass moves the running statistics towards the batch's when true (the default). */
  updateRunning?: boolean;
  /** running = momentum · running + (1 − momentum) · batch. */
  momentum: number;
  /** Added to the variance under the square root (the book: 10e-7). */
  eps: number;
  /** [C], updated in place by a training pass that may update them. */
  runningMean: Tensor;
  runningVar: Tensor;
  /** float64 [2, C]: the pass's mean and √(σ² + ε) per channel, written here; batchNormBackward reads them. */
  stats: Tensor;
  /** x̂ = (x − mean) / √(σ² + ε), x's shape: written here; batchNormBackward reads it. */
  xn: Tensor;
  /** y = γ · x̂ + β, x's shape. */
  out: Tensor;
}

/** The channels C (axis 1), the samples and the values per channel in a sample of x [N, C, ...]. */
function channelGeometry(op: string, x: Tensor, gamma: Tensor): { rows: number; c: number; p: number } {
  if (x.ndim < 2) throw new ShapeError(op, [x.shape], `x must be a batch [N, C, ...], got ${formatShape(x.shape)}`);
  const c = x.shape[1]!;
  if (!sameShape(gamma.shape, [c])) throw new ShapeError(op, [x.shape, gamma.shape], `gamma must have shape [${c}], one per channel (axis 1 of x)`);
  return { rows: x.shape[0]!, c, p: c === 0 ? 0 : x.size / (x.shape[0]! * c) };
}

function checkLike(op: string, name: string, t: Tensor, shape: readonly number[], dtype: string): void {
  if (!sameShape(t.shape, shape)) throw new ShapeError(op, [t.shape, shape], `${name} has shape ${formatShape(t.shape)} but must have ${formatShape(shape)}`);
  if (t.dtype !== dtype) throw new TypeError(`${op}: ${name} is ${t.dtype} but must be ${dtype}, as x`);
}

/**
 * 6.3 Batch Normalization of x [N, C, ...] per channel (axis 1): a training pass normalises with
 * the batch's mean and biased variance (over the samples and every position of a channel, N·H·W
 * values for an image) and may move the running statistics; an evaluation pass uses the running
 * ones. Writes x̂, the statistics and y = γ · x̂ + β into the buffers of `opts`, and returns y.
 * Sums and the normalisation are computed in float64.
 */
export function batchNorm(x: Tensor, gamma: Tensor, beta: Tensor, opts: BatchNormOptions): Tensor {
  const op = 'batchNorm';
  const { rows, c, p } = channelGeometry(op, x, gamma);
  for (const [name, t] of [
    ['beta', beta],
    ['runningMean', opts.runningMean],
    ['runningVar', opts.runningVar],
  ] as const)
    checkLike(op, name, t, [c], x.dtype);
  checkLike(op, 'gamma', gamma, [c], x.dtype);
  checkLike(op, 'xn', opts.xn, x.shape, x.dtype);
  checkLike(op, 'out', opts.out, x.shape, x.dtype);
  checkLike(op, 'stats', opts.stats, [2, c], 'float64');
  const update = opts.train && (opts.updateRunning ?? true);
  const stats = opts.stats.data;
  if (opts.train) {
    batchNormStatsKernel.run({
      x: x.data,
      runMean: opts.runningMean.data,
      runVar: opts.runningVar.data,
      rows,
      c,
      p,
      stats: opts.stats,
      momentum: opts.momentum,
      eps: opts.eps,
      update,
    });
  } else {
    const RM = opts.runningMean.data;
    const RV = opts.runningVar.data;
    for (let ch = 0; ch < c; ch++) {
      stats[ch] = RM[ch]!;
      stats[c + ch] = Math.sqrt(RV[ch]! + opts.eps);
    }
  }
  batchNormApplyKernel.run({ x: x.data, gamma: gamma.data, beta: beta.data, xn: opts.xn.data, y: opts.out.data, rows, c, p, stats: opts.stats });
  return opts.out;
}

/**
 * 6.3 Batch Normalization backward, from dout and what batchNorm wrote (x̂ and stats): dγ = Σ
 * dout · x̂ and dβ = Σ dout per channel, and, when `dx` is given, dx = γ/std · (dout − mean(dout)
 * − x̂ · mean(dout · x̂)) after a training pass (the book's chain through σ² and μ, collapsed) or
 * dx = γ/std · dout after an evaluation pass, where μ and σ are constants.
 */
export function batchNormBackward(
  dout: Tensor,
  xn: Tensor,
  gamma: Tensor,
  stats: Tensor,
  opts: { train: boolean; dgamma: Tensor; dbeta: Tensor; dx?: Tensor },
): void {
  const op = 'batchNormBackward';
  const { rows, c, p } = channelGeometry(op, xn, gamma);
  checkLike(op, 'dout', dout, xn.shape, xn.dtype);
  checkLike(op, 'gamma', gamma, [c], xn.dtype);
  checkLike(op, 'dgamma', opts.dgamma, [c], xn.dtype);
  checkLike(op, 'dbeta', opts.dbeta, [c], xn.dtype);
  checkLike(op, 'stats', stats, [2, c], 'float64');
  if (opts.dx !== undefined) checkLike(op, 'dx', opts.dx, xn.shape, xn.dtype);
  batchNormBackwardKernel.run({
    dout: dout.data,
    xn: xn.data,
    gamma: gamma.data,
    dgamma: opts.dgamma.data,
    dbeta: opts.dbeta.data,
    dx: opts.dx?.data,
    rows,
    c,
    p,
    stats,
    train: opts.train,
  });
}

/**
 * 6.4.3 a training pass of the book's Dropout: mask = rng.uniform() > ratio for each element in
 * row-major order (1 kept, 0 dropped) and out = x · mask. The draws are the Rng's own, in WASM
 * or in TypeScript alike, so a seed gives the same masks on either backend.
 */
export function dropoutMask(x: Tensor, ratio: number, rng: Rng, opts: { mask: Tensor; out: Tensor }): Tensor {
  checkLike('dropoutMask', 'mask', opts.mask, x.shape, x.dtype);
  checkLike('dropoutMask', 'out', opts.out, x.shape, x.dtype);
  if (!(ratio >= 0 && ratio < 1)) throw new RangeError(`dropoutMask: ratio must be a number >= 0 and < 1, got ${ratio}`);
  dropoutKernel.run({ x: x.data, y: opts.out.data, mask: opts.mask.data, ratio, rng });
  return opts.out;
}

/** out = a · b element by element (Dropout's dx = dout · mask). */
export function multiplyInto(a: Tensor, b: Tensor, out: Tensor): Tensor {
  checkLike('multiplyInto', 'b', b, a.shape, a.dtype);
  checkLike('multiplyInto', 'out', out, a.shape, a.dtype);
  multiplyKernel.run({ a: a.data, b: b.data, out: out.data });
  return out;
}

/** out = x · s element by element, computed in float64 and rounded once (Dropout's evaluation pass). */
export function scaleInto(x: Tensor, s: number, out: Tensor): Tensor {
  checkLike('scaleInto', 'out', out, x.shape, x.dtype);
  scaleKernel.run({ x: x.data, out: out.data, s });
  return out;
}

// The kernels.

interface StatsCall {
  x: TypedArray;
  runMean: TypedArray;
  runVar: TypedArray;
  rows: number;
  c: number;
  p: number;
  /** float64 [2, C] (a Tensor, so that the kernel does not take it for a float32 operand). */
  stats: Tensor;
  momentum: number;
  eps: number;
  update: boolean;
}

/** Copies a float64 array into the scratch, 8-byte aligned (scratch blocks are 64-byte aligned). */
function f64In(rt: { f64: Float64Array; scratch(bytes: number): number }, stats: Tensor): number {
  const at = rt.scratch(8 * stats.size);
  rt.f64.set(stats.data, at >> 3);
  return at;
}

const batchNormStatsKernel = defineKernel<StatsCall, void>({
  name: 'batchNormStats',
  placement: 'copy',
  minSize: WASM_MIN_ELEMENTS,
  operands: { x: 'read', runMean: 'readwrite', runVar: 'readwrite' },
  size: (k) => k.x.length,
  scratchBytes: (k) => scratchSize(8 * k.stats.size),
  reference: (k) => batchNormStatsJs(k),
  wasm(K, at, k, rt) {
    const s = f64In(rt, k.stats);
    K.batchNormStats(at.x, k.rows, k.c, k.p, s, at.runMean, at.runVar, k.momentum, k.eps, k.update ? 1 : 0);
    const S = k.stats.data;
    for (let i = 0; i < S.length; i++) S[i] = rt.f64[(s >> 3) + i]!;
  },
});

interface ApplyCall {
  x: TypedArray;
  gamma: TypedArray;
  beta: TypedArray;
  xn: TypedArray;
  y: TypedArray;
  rows: number;
  c: number;
  p: number;
  /** float64 [2, C] (a Tensor, so that the kernel does not take it for a float32 operand). */
  stats: Tensor;
}

const batchNormApplyKernel = defineKernel<ApplyCall, void>({
  name: 'batchNormApply',
  placement: 'copy',
  minSize: WASM_MIN_ELEMENTS,
  operands: { x: 'read', gamma: 'read', beta: 'read', xn: 'write', y: 'write' },
  size: (k) => k.x.length,
  scratchBytes: (k) => scratchSize(8 * k.stats.size),
  reference: (k) => batchNormApplyJs(k),
  wasm: (K, at, k, rt) => K.batchNormApply(at.x, k.rows, k.c, k.p, f64In(rt, k.stats), at.gamma, at.beta, at.xn, at.y),
});

interface BackwardCall {
  dout: TypedArray;
  xn: TypedArray;
  gamma: TypedArray;
  dgamma: TypedArray;
  dbeta: TypedArray;
  dx: TypedArray | undefined;
  rows: number;
  c: number;
  p: number;
  /** float64 [2, C] (a Tensor, so that the kernel does not take it for a float32 operand). */
  stats: Tensor;
  train: boolean;
}

const batchNormBackwardKernel = defineKernel<BackwardCall, void>({
  name: 'batchNormBackward',
  placement: 'copy',
  minSize: WASM_MIN_ELEMENTS,
  operands: { dout: 'read', xn: 'read', gamma: 'read', dgamma: 'write', dbeta: 'write', dx: 'write' },
  size: (k) => k.dout.length,
  scratchBytes: (k) => scratchSize(8 * k.stats.size) + scratchSize(16 * k.c),
  reference: (k) => batchNormBackwardJs(k),
  wasm(K, at, k, rt) {
    const s = f64In(rt, k.stats);
    const sums = rt.scratch(16 * k.c);
    K.batchNormBackward(at.dout, at.xn, k.rows, k.c, k.p, s, at.gamma, at.dgamma, at.dbeta, at.dx, k.train ? 1 : 0, k.dx === undefined ? 0 : 1, sums);
  },
});

const dropoutKernel = defineKernel<{ x: TypedArray; y: TypedArray; mask: TypedArray; ratio: number; rng: Rng }, void>({
  name: 'dropout',
  placement: 'placed',
  minSize: WASM_MIN_ELEMENTS,
  operands: { x: 'read', y: 'write', mask: 'write' },
  size: (k) => k.x.length,
  scratchBytes: () => scratchSize(16),
  reference: ({ x, y, mask, ratio, rng }) => {
    for (let i = 0; i < x.length; i++) {
      // 6.4.3: the book's np.random.rand(*x.shape) > dropout_ratio, element by element in row-major order
      const keep = rng.uniform() > ratio ? 1 : 0;
      mask[i] = keep;
      y[i] = x[i]! * keep;
    }
  },
  wasm(K, at, { x, ratio, rng }, rt) {
    const state = rt.scratch(16);
    rng.writeState(rt.i32, state >> 2);
    K.dropoutForward(at.x, at.y, at.mask, x.length, ratio, state);
    rng.readState(rt.i32, state >> 2);
  },
});

const multiplyKernel = defineKernel<{ a: TypedArray; b: TypedArray; out: TypedArray }, void>({
  name: 'multiply',
  placement: 'placed',
  minSize: WASM_MIN_ELEMENTS,
  operands: { a: 'read', b: 'read', out: 'write' },
  size: (k) => k.a.length,
  reference: ({ a, b, out }) => {
    for (let i = 0; i < a.length; i++) out[i] = a[i]! * b[i]!;
  },
  wasm: (_K, at, { a }, rt) => rt.elementwise('multiply', a.length, [at.a, at.b, at.out]),
});

const scaleKernel = defineKernel<{ x: TypedArray; out: TypedArray; s: number }, void>({
  name: 'scale',
  placement: 'placed',
  minSize: WASM_MIN_ELEMENTS,
  operands: { x: 'read', out: 'write' },
  size: (k) => k.x.length,
  reference: ({ x, out, s }) => {
    for (let i = 0; i < x.length; i++) out[i] = x[i]! * s;
  },
  wasm: (_K, at, { x, s }, rt) => rt.elementwise('scale', x.length, [at.x, at.out], [s]),
});

// The TypeScript references: the definitions the WASM entries are tested against.

function batchNormStatsJs({ x: X, runMean, runVar, rows, c, p, stats: st, momentum, eps, update }: StatsCall): void {
  const stats = st.data;
  const count = rows * p;
  stats.fill(0);
  // 6.3.1: μ = (1/m) Σ x over the batch and positions of each channel
  for (let n = 0, i = 0; n < rows; n++) {
    for (let ch = 0; ch < c; ch++) {
      let s = 0;
      for (let j = 0; j < p; j++, i++) s += X[i]!;
      stats[ch] = stats[ch]! + s;
    }
  }
  for (let ch = 0; ch < c; ch++) stats[ch] = stats[ch]! / count;
  // 6.3.1: σ² = (1/m) Σ (x − μ)², the biased variance, as the book's np.mean(xc**2)
  for (let n = 0, i = 0; n < rows; n++) {
    for (let ch = 0; ch < c; ch++) {
      const m = stats[ch]!;
      let s = 0;
      for (let j = 0; j < p; j++, i++) s += (X[i]! - m) ** 2;
      stats[c + ch] = stats[c + ch]! + s;
    }
  }
  for (let ch = 0; ch < c; ch++) {
    const variance = stats[c + ch]! / count;
    stats[c + ch] = Math.sqrt(variance + eps);
    // The book's running average: running = momentum · running + (1 − momentum) · batch
    if (update) {
      runMean[ch] = momentum * runMean[ch]! + (1 - momentum) * stats[ch]!;
      runVar[ch] = momentum * runVar[ch]! + (1 - momentum) * variance;
    }
  }
}

function batchNormApplyJs({ x: X, gamma: G, beta: B, xn: XN, y: Y, rows, c, p, stats: st }: ApplyCall): void {
  const stats = st.data;
  // x̂ = (x − μ) / √(σ² + ε); y = γ · x̂ + β
  for (let n = 0, i = 0; n < rows; n++) {
    for (let ch = 0; ch < c; ch++) {
      const m = stats[ch]!;
      const s = stats[c + ch]!;
      const g = G[ch]!;
      const b = B[ch]!;
      for (let j = 0; j < p; j++, i++) {
        const h = (X[i]! - m) / s;
        XN[i] = h;
        Y[i] = g * h + b;
      }
    }
  }
}

let sumsJs = new Float64Array(0);

function batchNormBackwardJs({ dout: D, xn: XN, gamma: G, dgamma, dbeta, dx: DX, rows, c, p, stats: st, train }: BackwardCall): void {
  const stats = st.data;
  if (sumsJs.length < 2 * c) sumsJs = new Float64Array(2 * c);
  const sums = sumsJs;
  sums.fill(0, 0, 2 * c);
  for (let n = 0, i = 0; n < rows; n++) {
    for (let ch = 0; ch < c; ch++) {
      let s = 0;
      let sx = 0;
      for (let j = 0; j < p; j++, i++) {
        s += D[i]!;
        sx += D[i]! * XN[i]!;
      }
      sums[ch] = sums[ch]! + s;
      sums[c + ch] = sums[c + ch]! + sx;
    }
  }
  // dβ = Σ dout, dγ = Σ dout · x̂ (over the batch and positions)
  for (let ch = 0; ch < c; ch++) {
    dbeta[ch] = sums[ch]!;
    dgamma[ch] = sums[c + ch]!;
  }
  if (DX === undefined) return;
  const count = rows * p;
  for (let n = 0, i = 0; n < rows; n++) {
    for (let ch = 0; ch < c; ch++) {
      const scale = G[ch]! / stats[c + ch]!;
      if (train) {
        // The book's chain through σ² and μ, collapsed: dx = γ/σ · (dout − mean(dout) − x̂ · mean(dout · x̂))
        const meanDout = sums[ch]! / count;
        const meanDoutXn = sums[c + ch]! / count;
        for (let j = 0; j < p; j++, i++) DX[i] = scale * (D[i]! - meanDout - XN[i]! * meanDoutXn);
      } else {
        // Evaluation: μ and σ are constants, so dx = dout · γ / √(running var + ε)
        for (let j = 0; j < p; j++, i++) DX[i] = scale * D[i]!;
      }
    }
  }
}
