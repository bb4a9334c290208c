import { defineKernel, WASM_MIN_ELEMENTS } from './kernel.js';
import { formatShape, ShapeError, sameShape } from './shape.js';
import type { Tensor, TypedArray } from './tensor.js';

// The fused update steps of the chapter-6.1 optimizers: one pass over a param W, its grad g and
// the optimizer's state, in place. Each computes in float64 and rounds to the arrays' dtypes at
// every store, exactly where @dlfs/optimizers' loops store (so float32 state and params round
// there, and float32 results are the same bits on both backends). W, g and the state must have
// one shape and must not overlap. In WASM when every array is float32 in WASM memory.

function checkShape(op: string, W: Tensor, name: string, t: Tensor): void {
  if (!sameShape(t.shape, W.shape)) {
    throw new ShapeError(op, [W.shape, t.shape], `${name} has shape ${formatShape(t.shape)} but W has ${formatShape(W.shape)}; they must match`);
  }
}

interface MomentumCall {
  W: TypedArray;
  g: TypedArray;
  v: TypedArray;
  lr: number;
  momentum: number;
}

/**
 * 6.1.4 Momentum: v ← α·v − η·g; W ← W + v. Rounds as scaleInPlace(v, α), axpy(−η, g, v) and
 * axpy(1, v, W) would, one after another.
 */
export function momentumUpdate(W: Tensor, g: Tensor, v: Tensor, lr: number, momentum: number): void {
  checkShape('momentumUpdate', W, 'g', g);
  checkShape('momentumUpdate', W, 'v', v);
  momentumKernel.run({ W: W.data, g: g.data, v: v.data, lr, momentum });
}

const momentumKernel = defineKernel<MomentumCall, void>({
  name: 'momentumUpdate',
  placement: 'placed',
  minSize: WASM_MIN_ELEMENTS,
  operands: { W: 'readwrite', g: 'read', v: 'readwrite' },
  size: (c) => c.W.length,
  reference({ W, g, v, lr, momentum }) {
    const step = -lr;
    for (let i = 0; i < W.length; i++) {
      // v *= α; v += (−η)·g; W += 1·v
      v[i] = v[i]! * momentum;
      v[i] = v[i]! + step * g[i]!;
      W[i] = W[i]! + 1 * v[i]!;
    }
  },
  wasm: (_K, at, { W, lr, momentum }, rt) => rt.elementwise('momentumUpdate', W.length, [at.W, at.g, at.v], [lr, momentum]),
});

/**
 * Nesterov (the book's form): v ← α·v − η·g; W ← W + α²·v − (1 + α)·η·g. Rounds as
 * scaleInPlace(v, α), axpy(−η, g, v), axpy(α², v, W) and axpy(−(1 + α)·η, g, W) would.
 */
export function nesterovUpdate(W: Tensor, g: Tensor, v: Tensor, lr: number, momentum: number): void {
  checkShape('nesterovUpdate', W, 'g', g);
  checkShape('nesterovUpdate', W, 'v', v);
  nesterovKernel.run({ W: W.data, g: g.data, v: v.data, lr, momentum });
}

const nesterovKernel = defineKernel<MomentumCall, void>({
  name: 'nesterovUpdate',
  placement: 'placed',
  minSize: WASM_MIN_ELEMENTS,
  operands: { W: 'readwrite', g: 'read', v: 'readwrite' },
  size: (c) => c.W.length,
  reference({ W, g, v, lr, momentum }) {
    const step = -lr;
    const a2 = momentum * momentum;
    const c = -((1 + momentum) * lr);
    for (let i = 0; i < W.length; i++) {
      // v *= α; v += (−η)·g; W += α²·v; W += (−(1 + α)·η)·g
      v[i] = v[i]! * momentum;
      v[i] = v[i]! + step * g[i]!;
      W[i] = W[i]! + a2 * v[i]!;
      W[i] = W[i]! + c * g[i]!;
    }
  },
  wasm: (_K, at, { W, lr, momentum }, rt) => rt.elementwise('nesterovUpdate', W.length, [at.W, at.g, at.v], [lr, momentum]),
});

interface AdaGradCall {
  W: TypedArray;
  g: TypedArray;
  h: TypedArray;
  lr: number;
}

/** 6.1.5 AdaGrad: h ← h + g ⊙ g; W ← W − η·g / (√h + 1e-7), with h as stored. */
export function adagradUpdate(W: Tensor, g: Tensor, h: Tensor, lr: number): void {
  checkShape('adagradUpdate', W, 'g', g);
  checkShape('adagradUpdate', W, 'h', h);
  adagradKernel.run({ W: W.data, g: g.data, h: h.data, lr });
}

const adagradKernel = defineKernel<AdaGradCall, void>({
  name: 'adagradUpdate',
  placement: 'placed',
  minSize: WASM_MIN_ELEMENTS,
  operands: { W: 'readwrite', g: 'read', h: 'readwrite' },
  size: (c) => c.W.length,
  reference({ W, g, h, lr }) {
    for (let i = 0; i < W.length; i++) {
      const gi = g[i]!;
      h[i] = h[i]! + gi * gi;
      W[i] = W[i]! - (lr * gi) / (Math.sqrt(h[i]!) + 1e-7);
    }
  },
  wasm: (_K, at, { W, lr }, rt) => rt.elementwise('adagradUpdate', W.length, [at.W, at.g, at.h], [lr]),
});

interface RMSpropCall extends AdaGradCall {
  decayRate: number;
}

/** RMSprop: h ← ρ·h; h ← h + (1 − ρ)·g ⊙ g (two stores, as the book's NumPy code rounds); W ← W − η·g / (√h + 1e-7). */
export function rmspropUpdate(W: Tensor, g: Tensor, h: Tensor, lr: number, decayRate: number): void {
  checkShape('rmspropUpdate', W, 'g', g);
  checkShape('rmspropUpdate', W, 'h', h);
  rmspropKernel.run({ W: W.data, g: g.data, h: h.data, lr, decayRate });
}

const rmspropKernel = defineKernel<RMSpropCall, void>({
  name: 'rmspropUpdate',
  placement: 'placed',
  minSize: WASM_MIN_ELEMENTS,
  operands: { W: 'readwrite', g: 'read', h: 'readwrite' },
  size: (c) => c.W.length,
  reference({ W, g, h, lr, decayRate: rho }) {
    for (let i = 0; i < W.length; i++) {
      const gi = g[i]!;
      h[i] = h[i]! * rho;
      h[i] = h[i]! + (1 - rho) * gi * gi;
      W[i] = W[i]! - (lr * gi) / (Math.sqrt(h[i]!) + 1e-7);
    }
  },
  wasm: (_K, at, { W, lr, decayRate }, rt) => rt.elementwise('rmspropUpdate', W.length, [at.W, at.g, at.h], [lr, decayRate]),
});

interface AdamCall {
  W: TypedArray;
  g: TypedArray;
  m: TypedArray;
  v: TypedArray;
  lrT: number;
  beta1: number;
  beta2: number;
}

/**
 * 6.1.6 Adam, one step with the bias correction folded into lrT = η·√(1 − β2ᵗ) / (1 − β1ᵗ)
 * (computed by the caller, who counts t): m ← m + (1 − β1)·(g − m); v ← v + (1 − β2)·(g ⊙ g − v);
 * W ← W − lrT·m / (√v + 1e-7), with m and v as stored.
 */
export function adamUpdate(W: Tensor, g: Tensor, m: Tensor, v: Tensor, lrT: number, beta1: number, beta2: number): void {
  checkShape('adamUpdate', W, 'g', g);
  checkShape('adamUpdate', W, 'm', m);
  checkShape('adamUpdate', W, 'v', v);
  adamKernel.run({ W: W.data, g: g.data, m: m.data, v: v.data, lrT, beta1, beta2 });
}

const adamKernel = defineKernel<AdamCall, void>({
  name: 'adamUpdate',
  placement: 'placed',
  minSize: WASM_MIN_ELEMENTS,
  operands: { W: 'readwrite', g: 'read', m: 'readwrite', v: 'readwrite' },
  size: (c) => c.W.length,
  reference({ W, g, m, v, lrT, beta1, beta2 }) {
    for (let i = 0; i < W.length; i++) {
      const gi = g[i]!;
      m[i] = m[i]! + (1 - beta1) * (gi - m[i]!);
      v[i] = v[i]! + (1 - beta2) * (gi * gi - v[i]!);
      W[i] = W[i]! - (lrT * m[i]!) / (Math.sqrt(v[i]!) + 1e-7);
    }
  },
  wasm: (_K, at, { W, lrT, beta1, beta2 }, rt) => rt.elementwise('adamUpdate', W.length, [at.W, at.g, at.m, at.v], [lrT, beta1, beta2]),
});
