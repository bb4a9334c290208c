// The fused optimizer steps of chapter 6.1 on float32 params, grads and state. Each one computes
// in float64 and rounds to float32 at every store where its TypeScript twin in
// src/optimizer-steps.ts stores (and so rounds), so both give the same bits: IEEE add, mul, div
// and sqrt are exact to the last bit in WASM and in JavaScript alike. Two elements at a time in
// f64x2 lanes, the odd one last. Pointers are byte offsets; len counts float32 elements.

/** Two float32 at p, widened to float64. */
@inline
function load2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

/** Two float64, rounded to float32 and stored at p. */
@inline
function store2(p: usize, x: v128): void {
  v128.store64_lane(p, f32x4.demote_f64x2_zero(x), 0);
}

/** x rounded to float32 and widened back: what a Float32Array store and load do. */
@inline
function round2(x: v128): v128 {
  return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(x));
}

/**
 * 6.1.4 Momentum: v ← α·v − η·g; W ← W + v. Rounds as scaleInPlace(v, α), axpy(−η, g, v),
 * axpy(1, v, W) do, one after another.
 */
export function momentumUpdate(w: usize, g: usize, v: usize, len: i32, lr: f64, momentum: f64): void {
  const a = f64x2.splat(momentum);
  const step = f64x2.splat(-lr);
  let i = 0;
  for (; i + 2 <= len; i += 2) {
    const o = <usize>i << 2;
    const vv = round2(f64x2.add(round2(f64x2.mul(load2(v + o), a)), f64x2.mul(step, load2(g + o))));
    store2(v + o, vv);
    store2(w + o, f64x2.add(load2(w + o), vv));
  }
  if (i < len) {
    const o = <usize>i << 2;
    const vs = <f32>(<f64>(<f32>(<f64>load<f32>(v + o) * momentum)) + -lr * <f64>load<f32>(g + o));
    store<f32>(v + o, vs);
    store<f32>(w + o, <f32>(<f64>load<f32>(w + o) + <f64>vs));
  }
}

/**
 * Nesterov (the book's form): v ← α·v − η·g; W ← W + α²·v − (1 + α)·η·g. Rounds as
 * scaleInPlace(v, α), axpy(−η, g, v), axpy(α², v, W), axpy(−(1 + α)·η, g, W) do.
 */
export function nesterovUpdate(w: usize, g: usize, v: usize, len: i32, lr: f64, momentum: f64): void {
  const a = f64x2.splat(momentum);
  const step = f64x2.splat(-lr);
  const aa = f64x2.splat(momentum * momentum);
  const c = f64x2.splat(-((1 + momentum) * lr));
  let i = 0;
  for (; i + 2 <= len; i += 2) {
    const o = <usize>i << 2;
    const gg = load2(g + o);
    const vv = round2(f64x2.add(round2(f64x2.mul(load2(v + o), a)), f64x2.mul(step, gg)));
    store2(v + o, vv);
    store2(w + o, f64x2.add(round2(f64x2.add(load2(w + o), f64x2.mul(aa, vv))), f64x2.mul(c, gg)));
  }
  if (i < len) {
    const o = <usize>i << 2;
    const gs = <f64>load<f32>(g + o);
    const vs = <f64>(<f32>(<f64>(<f32>(<f64>load<f32>(v + o) * momentum)) + -lr * gs));
    store<f32>(v + o, <f32>vs);
    const ws = <f64>(<f32>(<f64>load<f32>(w + o) + momentum * momentum * vs));
    store<f32>(w + o, <f32>(ws + -((1 + momentum) * lr) * gs));
  }
}

/** 6.1.5 AdaGrad: h ← h + g ⊙ g; W ← W − η·g / (√h + 1e-7), with h as stored (rounded). */
export function adagradUpdate(w: usize, g: usize, h: usize, len: i32, lr: f64): void {
  const eta = f64x2.splat(lr);
  const eps = f64x2.splat(1e-7);
  let i = 0;
  for (; i + 2 <= len; i += 2) {
    const o = <usize>i << 2;
    const gg = load2(g + o);
    const hh = round2(f64x2.add(load2(h + o), f64x2.mul(gg, gg)));
    store2(h + o, hh);
    store2(w + o, f64x2.sub(load2(w + o), f64x2.div(f64x2.mul(eta, gg), f64x2.add(f64x2.sqrt(hh), eps))));
  }
  if (i < len) {
    const o = <usize>i << 2;
    const gs = <f64>load<f32>(g + o);
    const hs = <f64>(<f32>(<f64>load<f32>(h + o) + gs * gs));
    store<f32>(h + o, <f32>hs);
    store<f32>(w + o, <f32>(<f64>load<f32>(w + o) - (lr * gs) / (Math.sqrt(hs) + 1e-7)));
  }
}

/**
 * RMSprop: h ← ρ·h; h ← h + (1 − ρ)·g ⊙ g (two stores, as the book's NumPy code rounds);
 * W ← W − η·g / (√h + 1e-7).
 */
export function rmspropUpdate(w: usize, g: usize, h: usize, len: i32, lr: f64, decayRate: f64): void {
  const rho = f64x2.splat(decayRate);
  const keep = f64x2.splat(1 - decayRate);
  const eta = f64x2.splat(lr);
  const eps = f64x2.splat(1e-7);
  let i = 0;
  for (; i + 2 <= len; i += 2) {
    const o = <usize>i << 2;
    const gg = load2(g + o);
    const hh = round2(f64x2.add(round2(f64x2.mul(load2(h + o), rho)), f64x2.mul(f64x2.mul(keep, gg), gg)));
    store2(h + o, hh);
    store2(w + o, f64x2.sub(load2(w + o), f64x2.div(f64x2.mul(eta, gg), f64x2.add(f64x2.sqrt(hh), eps))));
  }
  if (i < len) {
    const o = <usize>i << 2;
    const gs = <f64>load<f32>(g + o);
    const hs = <f64>(<f32>(<f64>(<f32>(<f64>load<f32>(h + o) * decayRate)) + (1 - decayRate) * gs * gs));
    store<f32>(h + o, <f32>hs);
    store<f32>(w + o, <f32>(<f64>load<f32>(w + o) - (lr * gs) / (Math.sqrt(hs) + 1e-7)));
  }
}

/**
 * 6.1.6 Adam with the bias correction in lrT = η·√(1 − β2ᵗ) / (1 − β1ᵗ), computed by the caller:
 * m ← m + (1 − β1)·(g − m); v ← v + (1 − β2)·(g ⊙ g − v); W ← W − lrT·m / (√v + 1e-7).
 */
export function adamUpdate(w: usize, g: usize, m: usize, v: usize, len: i32, lrT: f64, beta1: f64, beta2: f64): void {
  const b1 = f64x2.splat(1 - beta1);
  const b2 = f64x2.splat(1 - beta2);
  const eta = f64x2.splat(lrT);
  const eps = f64x2.splat(1e-7);
  let i = 0;
  for (; i + 2 <= len; i += 2) {
    const o = <usize>i << 2;
    const gg = load2(g + o);
    const m0 = load2(m + o);
    const v0 = load2(v + o);
    const mm = round2(f64x2.add(m0, f64x2.mul(b1, f64x2.sub(gg, m0))));
    const vv = round2(f64x2.add(v0, f64x2.mul(b2, f64x2.sub(f64x2.mul(gg, gg), v0))));
    store2(m + o, mm);
    store2(v + o, vv);
    store2(w + o, f64x2.sub(load2(w + o), f64x2.div(f64x2.mul(eta, mm), f64x2.add(f64x2.sqrt(vv), eps))));
  }
  if (i < len) {
    const o = <usize>i << 2;
    const gs = <f64>load<f32>(g + o);
    const m0 = <f64>load<f32>(m + o);
    const v0 = <f64>load<f32>(v + o);
    const ms = <f64>(<f32>(m0 + (1 - beta1) * (gs - m0)));
    const vs = <f64>(<f32>(v0 + (1 - beta2) * (gs * gs - v0)));
    store<f32>(m + o, <f32>ms);
    store<f32>(v + o, <f32>vs);
    store<f32>(w + o, <f32>(<f64>load<f32>(w + o) - (lrT * ms) / (Math.sqrt(vs) + 1e-7)));
  }
}
