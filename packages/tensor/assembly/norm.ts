// Batch Normalization (6.3) and Dropout (6.4.3) on WASM SIMD. Every pointer is a byte offset
// into the imported memory and every size counts elements. Each kernel has a plain TypeScript
// twin in src/norm.ts that it is tested against.
//
// Batch normalization sees x as rows × c × p: channel ch of sample n is the p values at
// (n·c + ch)·p (p = 1 for a [batch, features] input, H·W for an image). Sums over a channel are
// taken in float64, as the TypeScript twin takes them.

/** Σ of p floats at row, in float64. */
@inline
function rowSum(row: usize, p: i32): f64 {
  let a0 = f64x2.splat(0);
  let a1 = a0;
  let j = 0;
  for (; j + 4 <= p; j += 4) {
    const v = v128.load(row + (<usize>j << 2));
    a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v));
    a1 = f64x2.add(a1, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
  }
  const a = f64x2.add(a0, a1);
  let s = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
  for (; j < p; j++) s += <f64>load<f32>(row + (<usize>j << 2));
  return s;
}

/** Σ (x − m)² over p floats at row, in float64. */
@inline
function rowSquares(row: usize, p: i32, m: f64): f64 {
  const mv = f64x2.splat(m);
  let a0 = f64x2.splat(0);
  let a1 = a0;
  let j = 0;
  for (; j + 4 <= p; j += 4) {
    const v = v128.load(row + (<usize>j << 2));
    const d0 = f64x2.sub(f64x2.promote_low_f32x4(v), mv);
    const d1 = f64x2.sub(f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)), mv);
    a0 = f64x2.add(a0, f64x2.mul(d0, d0));
    a1 = f64x2.add(a1, f64x2.mul(d1, d1));
  }
  const a = f64x2.add(a0, a1);
  let s = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
  for (; j < p; j++) {
    const d = <f64>load<f32>(row + (<usize>j << 2)) - m;
    s += d * d;
  }
  return s;
}

/**
 * 6.3.1 the batch statistics of each channel: stats (float64, 2·c) gets the mean and then
 * √(σ² + eps) with the biased variance σ² = mean of (x − mean)². When update is not 0 the
 * running statistics (float32, c each) move towards them: running = momentum · running +
 * (1 − momentum) · batch.
 */
export function batchNormStats(x: usize, rows: i32, c: i32, p: i32, stats: usize, runMean: usize, runVar: usize, momentum: f64, eps: f64, update: i32): void {
  const std = stats + (<usize>c << 3);
  for (let ch = 0; ch < c; ch++) {
    store<f64>(stats + (<usize>ch << 3), 0);
    store<f64>(std + (<usize>ch << 3), 0);
  }
  const rowBytes = <usize>p << 2;
  let row = x;
  for (let n = 0; n < rows; n++) {
    for (let ch = 0; ch < c; ch++) {
      const at = stats + (<usize>ch << 3);
      store<f64>(at, load<f64>(at) + rowSum(row, p));
      row += rowBytes;
    }
  }
  const count = <f64>rows * <f64>p;
  for (let ch = 0; ch < c; ch++) {
    const at = stats + (<usize>ch << 3);
    store<f64>(at, load<f64>(at) / count);
  }
  row = x;
  for (let n = 0; n < rows; n++) {
    for (let ch = 0; ch < c; ch++) {
      const at = std + (<usize>ch << 3);
      store<f64>(at, load<f64>(at) + rowSquares(row, p, load<f64>(stats + (<usize>ch << 3))));
      row += rowBytes;
    }
  }
  for (let ch = 0; ch < c; ch++) {
    const at = std + (<usize>ch << 3);
    const variance = load<f64>(at) / count;
    store<f64>(at, Math.sqrt(variance + eps));
    if (update != 0) {
      const rm = runMean + (<usize>ch << 2);
      const rv = runVar + (<usize>ch << 2);
      store<f32>(rm, <f32>(momentum * <f64>load<f32>(rm) + (1 - momentum) * load<f64>(stats + (<usize>ch << 3))));
      store<f32>(rv, <f32>(momentum * <f64>load<f32>(rv) + (1 - momentum) * variance));
    }
  }
}

/**
 * x̂ = (x − mean) / std and y = γ · x̂ + β per channel, with mean and std from stats (float64,
 * 2·c), computed in float64 and rounded once.
 */
export function batchNormApply(x: usize, rows: i32, c: i32, p: i32, stats: usize, gamma: usize, beta: usize, xn: usize, y: usize): void {
  let o: usize = 0;
  for (let n = 0; n < rows; n++) {
    for (let ch = 0; ch < c; ch++) {
      const m = load<f64>(stats + (<usize>ch << 3));
      const inv = 1 / load<f64>(stats + (<usize>(c + ch) << 3));
      const g = <f64>load<f32>(gamma + (<usize>ch << 2));
      const b = <f64>load<f32>(beta + (<usize>ch << 2));
      const mv = f64x2.splat(m);
      const iv = f64x2.splat(inv);
      const gv = f64x2.splat(g);
      const bv = f64x2.splat(b);
      let j = 0;
      for (; j + 4 <= p; j += 4) {
        const v = v128.load(x + o);
        const h0 = f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(v), mv), iv);
        const h1 = f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)), mv), iv);
        v128.store(xn + o, i32x4.shuffle(f32x4.demote_f64x2_zero(h0), f32x4.demote_f64x2_zero(h1), 0, 1, 4, 5));
        const y0 = f64x2.add(f64x2.mul(gv, h0), bv);
        const y1 = f64x2.add(f64x2.mul(gv, h1), bv);
        v128.store(y + o, i32x4.shuffle(f32x4.demote_f64x2_zero(y0), f32x4.demote_f64x2_zero(y1), 0, 1, 4, 5));
        o += 16;
      }
      for (; j < p; j++) {
        const h = (<f64>load<f32>(x + o) - m) * inv;
        store<f32>(xn + o, <f32>h);
        store<f32>(y + o, <f32>(g * h + b));
        o += 4;
      }
    }
  }
}

/**
 * 6.3 backward: dβ = Σ dout and dγ = Σ dout · x̂ per channel (float64 sums, sums is scratch of
 * 16·c bytes), then, when wantDx is not 0, dx = γ/std · (dout − mean(dout) − x̂ · mean(dout · x̂))
 * after a training pass (train not 0) or dx = γ/std · dout after an evaluation pass.
 */
export function batchNormBackward(
  dout: usize,
  xn: usize,
  rows: i32,
  c: i32,
  p: i32,
  stats: usize,
  gamma: usize,
  dgamma: usize,
  dbeta: usize,
  dx: usize,
  train: i32,
  wantDx: i32,
  sums: usize,
): void {
  const sumX = sums + (<usize>c << 3);
  for (let ch = 0; ch < c; ch++) {
    store<f64>(sums + (<usize>ch << 3), 0);
    store<f64>(sumX + (<usize>ch << 3), 0);
  }
  let o: usize = 0;
  for (let n = 0; n < rows; n++) {
    for (let ch = 0; ch < c; ch++) {
      let a0 = f64x2.splat(0);
      let a1 = a0;
      let b0 = a0;
      let b1 = a0;
      let j = 0;
      for (; j + 4 <= p; j += 4) {
        const d = v128.load(dout + o);
        const h = v128.load(xn + o);
        const dl = f64x2.promote_low_f32x4(d);
        const dh = f64x2.promote_low_f32x4(i32x4.shuffle(d, d, 2, 3, 0, 1));
        a0 = f64x2.add(a0, dl);
        a1 = f64x2.add(a1, dh);
        b0 = f64x2.add(b0, f64x2.mul(dl, f64x2.promote_low_f32x4(h)));
        b1 = f64x2.add(b1, f64x2.mul(dh, f64x2.promote_low_f32x4(i32x4.shuffle(h, h, 2, 3, 0, 1))));
        o += 16;
      }
      const a = f64x2.add(a0, a1);
      const b = f64x2.add(b0, b1);
      let s = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
      let sx = f64x2.extract_lane(b, 0) + f64x2.extract_lane(b, 1);
      for (; j < p; j++) {
        const d = <f64>load<f32>(dout + o);
        s += d;
        sx += d * <f64>load<f32>(xn + o);
        o += 4;
      }
      const at = sums + (<usize>ch << 3);
      store<f64>(at, load<f64>(at) + s);
      const atX = sumX + (<usize>ch << 3);
      store<f64>(atX, load<f64>(atX) + sx);
    }
  }
  for (let ch = 0; ch < c; ch++) {
    store<f32>(dbeta + (<usize>ch << 2), <f32>load<f64>(sums + (<usize>ch << 3)));
    store<f32>(dgamma + (<usize>ch << 2), <f32>load<f64>(sumX + (<usize>ch << 3)));
  }
  if (wantDx == 0) return;
  const count = <f64>rows * <f64>p;
  o = 0;
  for (let n = 0; n < rows; n++) {
    for (let ch = 0; ch < c; ch++) {
      const scale = <f64>load<f32>(gamma + (<usize>ch << 2)) / load<f64>(stats + (<usize>(c + ch) << 3));
      const md = train != 0 ? load<f64>(sums + (<usize>ch << 3)) / count : 0;
      const mdx = train != 0 ? load<f64>(sumX + (<usize>ch << 3)) / count : 0;
      const sv = f64x2.splat(scale);
      const mdv = f64x2.splat(md);
      const mdxv = f64x2.splat(mdx);
      let j = 0;
      for (; j + 4 <= p; j += 4) {
        const d = v128.load(dout + o);
        const h = v128.load(xn + o);
        const r0 = f64x2.mul(sv, f64x2.sub(f64x2.sub(f64x2.promote_low_f32x4(d), mdv), f64x2.mul(f64x2.promote_low_f32x4(h), mdxv)));
        const r1 = f64x2.mul(
          sv,
          f64x2.sub(
            f64x2.sub(f64x2.promote_low_f32x4(i32x4.shuffle(d, d, 2, 3, 0, 1)), mdv),
            f64x2.mul(f64x2.promote_low_f32x4(i32x4.shuffle(h, h, 2, 3, 0, 1)), mdxv),
          ),
        );
        v128.store(dx + o, i32x4.shuffle(f32x4.demote_f64x2_zero(r0), f32x4.demote_f64x2_zero(r1), 0, 1, 4, 5));
        o += 16;
      }
      for (; j < p; j++) {
        store<f32>(dx + o, <f32>(scale * (<f64>load<f32>(dout + o) - md - <f64>load<f32>(xn + o) * mdx)));
        o += 4;
      }
    }
  }
}

/**
 * 6.4.3 a training pass of Dropout: for each element in order, u = the next uniform number of
 * the xoshiro128** generator whose state (4 × u32) is at `state` (the Rng of src/rng.ts, bit for
 * bit: 53 bits from two draws), mask = u > ratio ? 1 : 0 and y = x · mask. The state is left
 * where the draws end.
 */
export function dropoutForward(x: usize, y: usize, mask: usize, len: i32, ratio: f64, state: usize): void {
  let s0 = load<u32>(state);
  let s1 = load<u32>(state, 4);
  let s2 = load<u32>(state, 8);
  let s3 = load<u32>(state, 12);
  for (let i = 0; i < len; i++) {
    // Two draws of xoshiro128**, as Rng.nextUint32.
    let r = rotl<u32>(s1 * 5, 7) * 9;
    let t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl<u32>(s3, 11);
    const hi = r >>> 5;
    r = rotl<u32>(s1 * 5, 7) * 9;
    t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl<u32>(s3, 11);
    const lo = r >>> 6;
    const u = (<f64>hi * 67108864 + <f64>lo) / 9007199254740992;
    const keep: f32 = u > ratio ? 1 : 0;
    const o = <usize>i << 2;
    store<f32>(mask + o, keep);
    store<f32>(y + o, load<f32>(x + o) * keep);
  }
  store<u32>(state, s0);
  store<u32>(state, s1, 4);
  store<u32>(state, s2, 8);
  store<u32>(state, s3, 12);
}

/** out = a · b element by element (Dropout's dx = dout · mask), 4 lanes at a time. */
export function multiply(a: usize, b: usize, out: usize, len: i32): void {
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(a + o) * load<f32>(b + o));
  }
}

/**
 * out = x · s element by element (Dropout's evaluation pass, s = 1 − ratio), computed in float64
 * and rounded once, as the TypeScript twin computes it.
 */
export function scale(x: usize, out: usize, len: i32, s: f64): void {
  const sv = f64x2.splat(s);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    const lo = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.promote_low_f32x4(v), sv));
    const hi = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)), sv));
    v128.store(out + o, i32x4.shuffle(lo, hi, 0, 1, 4, 5));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, <f32>(<f64>load<f32>(x + o) * s));
  }
}
