// Convolution and max pooling (chapter 7) on WASM SIMD. Every pointer is a byte offset into the
// imported memory and every size counts elements. Each kernel has a plain TypeScript twin in
// src/conv.ts that it is tested against.
//
// A convolution works one sample at a time on cols, the sample's windows with one column per
// output position: cols[(c·fh + ky)·fw + kx, oy·OW + ox] = x[c, oy·stride + ky − pad,
// ox·stride + kx − pad] (0 in the padding), K = C·fh·fw rows by P = OH·OW columns. With W as
// [F, K], the output of the sample is then one product W · cols, already channels first.

import { gemm } from './kernels';

/**
 * Sets `len` floats at p to 0: a short run (im2col's padding, a row's tail) in the kernel, since
 * a call of memory.fill costs more than a few stores; a long one with memory.fill.
 */
@inline
function zero(p: usize, len: i32): void {
  if (len >= 64) {
    memory.fill(p, 0, <usize>len << 2);
    return;
  }
  let j = 0;
  for (; j + 4 <= len; j += 4) v128.store(p + (<usize>j << 2), f32x4.splat(0));
  for (; j < len; j++) store<f32>(p + (<usize>j << 2), 0);
}

/** dst[0..len) = src[0..len), 4 floats at a time in registers (a window row: ow floats). */
@inline
function copyFloats(dst: usize, src: usize, len: i32): void {
  let j = 0;
  for (; j + 4 <= len; j += 4) v128.store(dst + (<usize>j << 2), v128.load(src + (<usize>j << 2)));
  for (; j < len; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>j << 2)));
}

/**
 * cols for samples [0, n) of x [n, c, h, w], one K×P block after another (see the top of this
 * file). A row of cols at one filter position is, for stride 1, a run of an input row, copied
 * whole.
 */
export function convCols(x: usize, n: i32, c: i32, h: i32, w: i32, fh: i32, fw: i32, stride: i32, pad: i32, oh: i32, ow: i32, cols: usize): void {
  let dst = cols;
  const rowBytes = <usize>ow << 2;
  for (let s = 0; s < n; s++) {
    for (let ch = 0; ch < c; ch++) {
      const plane = x + (<usize>((s * c + ch) * h * w) << 2);
      for (let ky = 0; ky < fh; ky++) {
        for (let kx = 0; kx < fw; kx++) {
          // The output columns whose input column ox·stride + kx − pad lies in [0, w).
          const first = pad - kx;
          const lo = first <= 0 ? 0 : (first + stride - 1) / stride;
          const last = w - 1 + pad - kx;
          let hi = last < 0 ? -1 : last / stride;
          if (hi > ow - 1) hi = ow - 1;
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * stride + ky - pad;
            const row = dst + <usize>oy * rowBytes;
            if (iy < 0 || iy >= h || lo > hi) {
              zero(row, ow);
              continue;
            }
            zero(row, lo);
            const src = plane + (<usize>(iy * w + kx - pad) << 2);
            if (stride == 1) {
              copyFloats(row + (<usize>lo << 2), src + (<usize>lo << 2), hi - lo + 1);
            } else {
              for (let ox = lo; ox <= hi; ox++) store<f32>(row + (<usize>ox << 2), load<f32>(src + (<usize>(ox * stride) << 2)));
            }
            zero(row + (<usize>(hi + 1) << 2), ow - 1 - hi);
          }
          dst += <usize>oh * rowBytes;
        }
      }
    }
  }
}

@inline
function madd(acc: v128, s: v128, b: v128): v128 {
  return f32x4.add(acc, f32x4.mul(s, b));
}

/** Stores the first w (1..8) lanes of lo:hi at c. */
@inline
function store8(c: usize, lo: v128, hi: v128, w: i32): void {
  if (w == 8) {
    v128.store(c, lo);
    v128.store(c, hi, 16);
    return;
  }
  for (let j = 0; j < w; j++) {
    const v = j < 4 ? lo : hi;
    const lane = j & 3;
    store<f32>(c + (<usize>j << 2), lane == 0 ? f32x4.extract_lane(v, 0) : lane == 1 ? f32x4.extract_lane(v, 1) : lane == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3));
  }
}

/**
 * C (m×n, row-major) = A (m×k, row-major) · B (k×n, row-major) + bias (one per row of C, m
 * floats at `bias`), skipping the rows of each 8-column strip of B that are all zero (a window position that lies on an image's blank
 * margin): the strip's other rows are packed into `panel` (32·k bytes) and their row numbers
 * into `rows` (4·k bytes), and only they are summed over. Like the sparse matmul, a skipped
 * 0 · NaN counts as 0.
 */
function gemmSkipZeroRows(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, bias: usize, panel: usize, rows: usize): void {
  const ldb = <usize>n << 2;
  const lda = <usize>k << 2;
  const ldc = <usize>n << 2;
  const zero = f32x4.splat(0);
  for (let j0 = 0; j0 < n; j0 += 8) {
    const w = min(8, n - j0);
    // Pack the strip's nonzero rows.
    let nnz = 0;
    let src = b + (<usize>j0 << 2);
    for (let p = 0; p < k; p++) {
      let lo: v128;
      let hi: v128;
      if (w == 8) {
        lo = v128.load(src);
        hi = v128.load(src, 16);
      } else {
        lo = zero;
        hi = zero;
        for (let jj = 0; jj < w; jj++) {
          const v = load<f32>(src + (<usize>jj << 2));
          if (jj == 0) lo = f32x4.replace_lane(lo, 0, v);
          else if (jj == 1) lo = f32x4.replace_lane(lo, 1, v);
          else if (jj == 2) lo = f32x4.replace_lane(lo, 2, v);
          else if (jj == 3) lo = f32x4.replace_lane(lo, 3, v);
          else if (jj == 4) hi = f32x4.replace_lane(hi, 0, v);
          else if (jj == 5) hi = f32x4.replace_lane(hi, 1, v);
          else if (jj == 6) hi = f32x4.replace_lane(hi, 2, v);
          else hi = f32x4.replace_lane(hi, 3, v);
        }
      }
      // A row counts as zero only when all 8 lanes equal 0 (a NaN is not 0).
      if (v128.any_true(v128.or(f32x4.ne(lo, zero), f32x4.ne(hi, zero)))) {
        const at = panel + (<usize>nnz << 5);
        v128.store(at, lo);
        v128.store(at, hi, 16);
        store<i32>(rows + (<usize>nnz << 2), p << 2);
        nnz++;
      }
      src += ldb;
    }
    const cStrip = c + (<usize>j0 << 2);
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      const a0 = a + <usize>i * lda;
      // Each sum starts from its row's bias, as the reference's does.
      let c00 = v128.load32_splat(bias + (<usize>i << 2));
      let c01 = c00;
      let c10 = v128.load32_splat(bias + (<usize>(i + 1) << 2));
      let c11 = c10;
      let c20 = v128.load32_splat(bias + (<usize>(i + 2) << 2));
      let c21 = c20;
      let c30 = v128.load32_splat(bias + (<usize>(i + 3) << 2));
      let c31 = c30;
      for (let q = 0; q < nnz; q++) {
        const bp = panel + (<usize>q << 5);
        const b0 = v128.load(bp);
        const b1 = v128.load(bp, 16);
        const ap = a0 + <usize>load<i32>(rows + (<usize>q << 2));
        let sv = v128.load32_splat(ap);
        c00 = madd(c00, sv, b0);
        c01 = madd(c01, sv, b1);
        sv = v128.load32_splat(ap + lda);
        c10 = madd(c10, sv, b0);
        c11 = madd(c11, sv, b1);
        sv = v128.load32_splat(ap + 2 * lda);
        c20 = madd(c20, sv, b0);
        c21 = madd(c21, sv, b1);
        sv = v128.load32_splat(ap + 3 * lda);
        c30 = madd(c30, sv, b0);
        c31 = madd(c31, sv, b1);
      }
      const cr = cStrip + <usize>i * ldc;
      store8(cr, c00, c01, w);
      store8(cr + ldc, c10, c11, w);
      store8(cr + 2 * ldc, c20, c21, w);
      store8(cr + 3 * ldc, c30, c31, w);
    }
    for (; i < m; i++) {
      const a0 = a + <usize>i * lda;
      let c0 = v128.load32_splat(bias + (<usize>i << 2));
      let c1 = c0;
      for (let q = 0; q < nnz; q++) {
        const bp = panel + (<usize>q << 5);
        const sv = v128.load32_splat(a0 + <usize>load<i32>(rows + (<usize>q << 2)));
        c0 = madd(c0, sv, v128.load(bp));
        c1 = madd(c1, sv, v128.load(bp, 16));
      }
      store8(cStrip + <usize>i * ldc, c0, c1, w);
    }
  }
}

/**
 * 7.4 forward of one sample: out (f×p) = w (f×k) · cols (k×p) + b (one bias per row), skipping
 * window positions whose rows are all zero. panel is scratch of 32·k bytes, rows of 4·k bytes.
 */
@inline
function convForwardSample(cols: usize, w: usize, b: usize, out: usize, f: i32, k: i32, p: i32, panel: usize, rows: usize): void {
  gemmSkipZeroRows(f, p, k, w, cols, out, b, panel, rows);
}

/**
 * 7.4 forward with its im2col, sample by sample for samples [s0, s1) of x [n, c, h, wd]: each
 * sample's windows go to `cols` (scratch of 4·k·p bytes, k = c·fh·fw, p = oh·ow, overwritten by
 * the next sample) and are multiplied while still in cache, out[s] = w · cols + b. Nothing is
 * kept for the backward pass: the filter gradient makes the windows again from x. panel is
 * scratch of 32·k bytes, rows of 4·k bytes.
 */
export function convColsForward(
  x: usize,
  w: usize,
  b: usize,
  out: usize,
  s0: i32,
  s1: i32,
  c: i32,
  h: i32,
  wd: i32,
  fh: i32,
  fw: i32,
  stride: i32,
  pad: i32,
  oh: i32,
  ow: i32,
  f: i32,
  cols: usize,
  panel: usize,
  rows: usize,
): void {
  const k = c * fh * fw;
  const p = oh * ow;
  const xStep = <usize>(c * h * wd) << 2;
  const outStep = <usize>(f * p) << 2;
  for (let s = s0; s < s1; s++) {
    convCols(x + <usize>s * xStep, 1, c, h, wd, fh, fw, stride, pad, oh, ow, cols);
    convForwardSample(cols, w, b, out + <usize>s * outStep, f, k, p, panel, rows);
  }
}

/** The four lanes of v added: (v0 + v1) + (v2 + v3). */
@inline
function lanes(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/**
 * C (m×n) = A (m×len) · Bᵀ for row-major A and B (n×len) whose rows are long and contiguous:
 * each C[i, j] is a dot product of two rows, summed 4 lanes at a time (2 rows of A by 4 of B in
 * registers), then across the lanes; no packing.
 */
function gemmRowDots(m: i32, n: i32, len: i32, a: usize, b: usize, c: usize): void {
  const row = <usize>len << 2;
  const len4 = len & ~3;
  let i = 0;
  for (; i < m; i += 2) {
    const two = i + 1 < m;
    const a0 = a + <usize>i * row;
    const a1 = two ? a0 + row : a0;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = b + <usize>j * row;
      const b1 = b0 + row;
      const b2 = b1 + row;
      const b3 = b2 + row;
      let s00 = f32x4.splat(0);
      let s01 = s00;
      let s02 = s00;
      let s03 = s00;
      let s10 = s00;
      let s11 = s00;
      let s12 = s00;
      let s13 = s00;
      for (let q = 0; q < len4; q += 4) {
        const o = <usize>q << 2;
        const x0 = v128.load(a0 + o);
        const x1 = v128.load(a1 + o);
        let y = v128.load(b0 + o);
        s00 = madd(s00, x0, y);
        s10 = madd(s10, x1, y);
        y = v128.load(b1 + o);
        s01 = madd(s01, x0, y);
        s11 = madd(s11, x1, y);
        y = v128.load(b2 + o);
        s02 = madd(s02, x0, y);
        s12 = madd(s12, x1, y);
        y = v128.load(b3 + o);
        s03 = madd(s03, x0, y);
        s13 = madd(s13, x1, y);
      }
      let t00 = lanes(s00);
      let t01 = lanes(s01);
      let t02 = lanes(s02);
      let t03 = lanes(s03);
      let t10 = lanes(s10);
      let t11 = lanes(s11);
      let t12 = lanes(s12);
      let t13 = lanes(s13);
      for (let q = len4; q < len; q++) {
        const o = <usize>q << 2;
        const x0 = load<f32>(a0 + o);
        const x1 = load<f32>(a1 + o);
        t00 += x0 * load<f32>(b0 + o);
        t01 += x0 * load<f32>(b1 + o);
        t02 += x0 * load<f32>(b2 + o);
        t03 += x0 * load<f32>(b3 + o);
        t10 += x1 * load<f32>(b0 + o);
        t11 += x1 * load<f32>(b1 + o);
        t12 += x1 * load<f32>(b2 + o);
        t13 += x1 * load<f32>(b3 + o);
      }
      const c0 = c + (<usize>(i * n + j) << 2);
      store<f32>(c0, t00);
      store<f32>(c0, t01, 4);
      store<f32>(c0, t02, 8);
      store<f32>(c0, t03, 12);
      if (two) {
        const c1 = c0 + (<usize>n << 2);
        store<f32>(c1, t10);
        store<f32>(c1, t11, 4);
        store<f32>(c1, t12, 8);
        store<f32>(c1, t13, 12);
      }
    }
    for (; j < n; j++) {
      const b0 = b + <usize>j * row;
      let s0 = f32x4.splat(0);
      let s1 = s0;
      for (let q = 0; q < len4; q += 4) {
        const o = <usize>q << 2;
        const y = v128.load(b0 + o);
        s0 = madd(s0, v128.load(a0 + o), y);
        s1 = madd(s1, v128.load(a1 + o), y);
      }
      let t0 = lanes(s0);
      let t1 = lanes(s1);
      for (let q = len4; q < len; q++) {
        const o = <usize>q << 2;
        t0 += load<f32>(a0 + o) * load<f32>(b0 + o);
        t1 += load<f32>(a1 + o) * load<f32>(b0 + o);
      }
      store<f32>(c + (<usize>(i * n + j) << 2), t0);
      if (two) store<f32>(c + (<usize>((i + 1) * n + j) << 2), t1);
    }
  }
}

/** Σ of len floats at row, in 4 lanes, then the lanes and the tail. */
@inline
function rowSum(row: usize, len: i32): f32 {
  let acc = f32x4.splat(0);
  let j = 0;
  for (; j + 4 <= len; j += 4) acc = f32x4.add(acc, v128.load(row + (<usize>j << 2)));
  let s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  for (; j < len; j++) s += load<f32>(row + (<usize>j << 2));
  return s;
}

/**
 * 7.4 filter gradient, in blocks of samples: block q of `blocks` covers the samples
 * [⌊n·q/blocks⌋, ⌊n·(q+1)/blocks⌋) of x [n, c, h, wd] and dout [n, f, oh, ow], and its share,
 * Σ_s dout[s] · cols[s]ᵀ (f×k, k = c·fh·fw) then Σ_s Σ_p dout[s][r, p] (f), summed over its
 * samples in order, goes to partials + 4·q·(f·k + f). This call does blocks [q0, q1); each
 * sample's windows are made again from x into `cols` (scratch of 4·k·p bytes) and used while
 * still in cache. A block's share does not depend on which call or thread computes it, and
 * convSumBlocks adds the shares in block order. tmp is scratch of 4·f·k bytes.
 */
export function convFilterGrad(
  x: usize,
  dout: usize,
  partials: usize,
  q0: i32,
  q1: i32,
  blocks: i32,
  n: i32,
  c: i32,
  h: i32,
  wd: i32,
  fh: i32,
  fw: i32,
  stride: i32,
  pad: i32,
  oh: i32,
  ow: i32,
  f: i32,
  cols: usize,
  tmp: usize,
): void {
  const k = c * fh * fw;
  const p = oh * ow;
  const xStep = <usize>(c * h * wd) << 2;
  const doutStep = <usize>(f * p) << 2;
  const len = f * k;
  for (let q = q0; q < q1; q++) {
    const dw = partials + (<usize>(q * (len + f)) << 2);
    const db = dw + (<usize>len << 2);
    zero(dw, len + f);
    const first = <i32>((<i64>n * q) / blocks);
    const end = <i32>((<i64>n * (q + 1)) / blocks);
    for (let s = first; s < end; s++) {
      const d = dout + <usize>s * doutStep;
      convCols(x + <usize>s * xStep, 1, c, h, wd, fh, fw, stride, pad, oh, ow, cols);
      gemmRowDots(f, k, p, d, cols, tmp);
      addRow(dw, tmp, len);
      for (let r = 0; r < f; r++) {
        const at = db + (<usize>r << 2);
        store<f32>(at, load<f32>(at) + rowSum(d + (<usize>(r * p) << 2), p));
      }
    }
  }
}

/**
 * The filter gradient from convFilterGrad's shares: dw (len floats) and db (f floats) are the
 * sums of every block's share, added in block order q = 0, 1, …, so the result is the same
 * whichever threads computed the blocks.
 */
export function convSumBlocks(partials: usize, blocks: i32, len: i32, f: i32, dw: usize, db: usize): void {
  const step = <usize>(len + f) << 2;
  memory.copy(dw, partials, <usize>len << 2);
  memory.copy(db, partials + (<usize>len << 2), <usize>f << 2);
  for (let q = 1; q < blocks; q++) {
    const share = partials + <usize>q * step;
    addRow(dw, share, len);
    addRow(db, share + (<usize>len << 2), f);
  }
}

/** dst[0..len) += src[0..len). */
@inline
function addRow(dst: usize, src: usize, len: i32): void {
  let j = 0;
  for (; j + 4 <= len; j += 4) {
    const o = <usize>j << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; j < len; j++) {
    const o = <usize>j << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/**
 * 7.4 input gradient for samples [s0, s1): dcols = wᵀ (k×f) · dout[s] (f×p), then col2im: each
 * entry of dcols is added to the input element its window position came from (the padding's
 * are dropped). dx is n×c×h×w and is overwritten for those samples. dcols is scratch of 4·k·p
 * bytes, panel of 32·f bytes.
 */
export function convInputGrad(
  dout: usize,
  w: usize,
  dx: usize,
  s0: i32,
  s1: i32,
  c: i32,
  h: i32,
  wd: i32,
  f: i32,
  fh: i32,
  fw: i32,
  stride: i32,
  pad: i32,
  oh: i32,
  ow: i32,
  dcols: usize,
  panel: usize,
): void {
  const k = c * fh * fw;
  const p = oh * ow;
  const plane = h * wd;
  for (let s = s0; s < s1; s++) {
    // op(A) = wᵀ: element (i, q) is w[q, i], at w + 4·(i + q·k).
    gemm(k, p, f, w, 1, k, dout + (<usize>(s * f * p) << 2), p, 1, dcols, panel);
    const sample = dx + (<usize>(s * c * plane) << 2);
    zero(sample, c * plane);
    let src = dcols;
    for (let ch = 0; ch < c; ch++) {
      const xp = sample + (<usize>(ch * plane) << 2);
      for (let ky = 0; ky < fh; ky++) {
        for (let kx = 0; kx < fw; kx++) {
          const first = pad - kx;
          const lo = first <= 0 ? 0 : (first + stride - 1) / stride;
          const last = wd - 1 + pad - kx;
          let hi = last < 0 ? -1 : last / stride;
          if (hi > ow - 1) hi = ow - 1;
          if (lo <= hi) {
            for (let oy = 0; oy < oh; oy++) {
              const iy = oy * stride + ky - pad;
              if (iy < 0 || iy >= h) continue;
              const row = src + (<usize>(oy * ow) << 2);
              const dst = xp + (<usize>(iy * wd + kx - pad) << 2);
              if (stride == 1) {
                addRow(dst + (<usize>lo << 2), row + (<usize>lo << 2), hi - lo + 1);
              } else {
                for (let ox = lo; ox <= hi; ox++) {
                  const at = dst + (<usize>(ox * stride) << 2);
                  store<f32>(at, load<f32>(at) + load<f32>(row + (<usize>ox << 2)));
                }
              }
            }
          }
          src += <usize>p << 2;
        }
      }
    }
  }
}

/**
 * 7.3 max pooling of planes [q0, q1) (a plane is one channel of one sample, h×w): out[q, oy, ox]
 * is the largest of the size×size window at (oy·stride, ox·stride), and at[q, oy, ox] its
 * position in the window, ky·size + kx, as a float. Of equal values the first (row by row) wins,
 * as np.argmax; a NaN wins over numbers and the first NaN over later ones, as np.max.
 */
export function maxPool(x: usize, out: usize, at: usize, q0: i32, q1: i32, h: i32, w: i32, size: i32, stride: i32, oh: i32, ow: i32): void {
  const inPlane = h * w;
  const outPlane = oh * ow;
  if (size == 2 && stride == 2) {
    maxPool2x2(x, out, at, q0, q1, h, w, oh, ow);
    return;
  }
  for (let q = q0; q < q1; q++) {
    const base = x + (<usize>(q * inPlane) << 2);
    let o = <usize>(q * outPlane) << 2;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const corner = base + (<usize>(oy * stride * w + ox * stride) << 2);
        let max = load<f32>(corner);
        let best = 0;
        for (let ky = 0; ky < size; ky++) {
          const row = corner + (<usize>(ky * w) << 2);
          for (let kx = 0; kx < size; kx++) {
            const v = load<f32>(row + (<usize>kx << 2));
            if (v > max || (v != v && max == max)) {
              max = v;
              best = ky * size + kx;
            }
          }
        }
        store<f32>(out + o, max);
        store<f32>(at + o, <f32>best);
        o += 4;
      }
    }
  }
}

/** maxPool for 2×2 windows at stride 2, four outputs at a time. */
function maxPool2x2(x: usize, out: usize, at: usize, q0: i32, q1: i32, h: i32, w: i32, oh: i32, ow: i32): void {
  const inPlane = h * w;
  const outPlane = oh * ow;
  const rowBytes = <usize>w << 2;
  const p1 = f32x4.splat(1);
  const p2 = f32x4.splat(2);
  const p3 = f32x4.splat(3);
  for (let q = q0; q < q1; q++) {
    const base = x + (<usize>(q * inPlane) << 2);
    const outBase = <usize>(q * outPlane) << 2;
    for (let oy = 0; oy < oh; oy++) {
      const r0 = base + <usize>(2 * oy) * rowBytes;
      const r1 = r0 + rowBytes;
      const o = outBase + (<usize>(oy * ow) << 2);
      let ox = 0;
      for (; ox + 4 <= ow; ox += 4) {
        const i = <usize>(2 * ox) << 2;
        const u0 = v128.load(r0 + i);
        const u1 = v128.load(r0 + i, 16);
        const l0 = v128.load(r1 + i);
        const l1 = v128.load(r1 + i, 16);
        // The four window positions, in the order the scalar loop visits them.
        const a = i32x4.shuffle(u0, u1, 0, 2, 4, 6);
        const b = i32x4.shuffle(u0, u1, 1, 3, 5, 7);
        const c = i32x4.shuffle(l0, l1, 0, 2, 4, 6);
        const d = i32x4.shuffle(l0, l1, 1, 3, 5, 7);
        let m = a;
        let best = f32x4.splat(0);
        // v replaces m when v > m, or v is NaN and m is not: exactly the scalar rule.
        let take = v128.or(f32x4.gt(b, m), v128.and(f32x4.ne(b, b), f32x4.eq(m, m)));
        m = v128.bitselect(b, m, take);
        best = v128.bitselect(p1, best, take);
        take = v128.or(f32x4.gt(c, m), v128.and(f32x4.ne(c, c), f32x4.eq(m, m)));
        m = v128.bitselect(c, m, take);
        best = v128.bitselect(p2, best, take);
        take = v128.or(f32x4.gt(d, m), v128.and(f32x4.ne(d, d), f32x4.eq(m, m)));
        m = v128.bitselect(d, m, take);
        best = v128.bitselect(p3, best, take);
        v128.store(out + o + (<usize>ox << 2), m);
        v128.store(at + o + (<usize>ox << 2), best);
      }
      for (; ox < ow; ox++) {
        const i = <usize>(2 * ox) << 2;
        let max = load<f32>(r0 + i);
        let best: f32 = 0;
        let v = load<f32>(r0 + i, 4);
        if (v > max || (v != v && max == max)) {
          max = v;
          best = 1;
        }
        v = load<f32>(r1 + i);
        if (v > max || (v != v && max == max)) {
          max = v;
          best = 2;
        }
        v = load<f32>(r1 + i, 4);
        if (v > max || (v != v && max == max)) {
          max = v;
          best = 3;
        }
        store<f32>(out + o + (<usize>ox << 2), max);
        store<f32>(at + o + (<usize>ox << 2), best);
      }
    }
  }
}

/**
 * 7.3 max pooling backward for planes [q0, q1): dx is overwritten with 0, then each dout goes to
 * the element its window's maximum came from (at, as maxPool wrote it), added up where windows
 * overlap.
 */
export function maxPoolBackward(dout: usize, at: usize, dx: usize, q0: i32, q1: i32, h: i32, w: i32, size: i32, stride: i32, oh: i32, ow: i32): void {
  if (size == 2 && stride == 2) {
    maxPoolBackward2x2(dout, at, dx, q0, q1, h, w, oh, ow);
    return;
  }
  const inPlane = h * w;
  const outPlane = oh * ow;
  for (let q = q0; q < q1; q++) {
    const base = dx + (<usize>(q * inPlane) << 2);
    zero(base, inPlane);
    let o = <usize>(q * outPlane) << 2;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const pos = <i32>load<f32>(at + o);
        const ky = pos / size;
        const kx = pos - ky * size;
        const e = base + (<usize>((oy * stride + ky) * w + ox * stride + kx) << 2);
        store<f32>(e, load<f32>(e) + load<f32>(dout + o));
        o += 4;
      }
    }
  }
}

/**
 * maxPoolBackward for 2×2 windows at stride 2, which do not overlap: each element of dx is
 * written once, four windows (two rows of eight elements) at a time, the one the window's
 * maximum came from getting dout and the others 0; a last odd row or column, in no window, is 0.
 */
function maxPoolBackward2x2(dout: usize, at: usize, dx: usize, q0: i32, q1: i32, h: i32, w: i32, oh: i32, ow: i32): void {
  const inPlane = h * w;
  const outPlane = oh * ow;
  const rowBytes = <usize>w << 2;
  const p0 = f32x4.splat(0);
  const p1 = f32x4.splat(1);
  const p2 = f32x4.splat(2);
  const p3 = f32x4.splat(3);
  for (let q = q0; q < q1; q++) {
    const base = dx + (<usize>(q * inPlane) << 2);
    const outBase = <usize>(q * outPlane) << 2;
    for (let oy = 0; oy < oh; oy++) {
      const r0 = base + <usize>(2 * oy) * rowBytes;
      const r1 = r0 + rowBytes;
      const o = outBase + (<usize>(oy * ow) << 2);
      let ox = 0;
      for (; ox + 4 <= ow; ox += 4) {
        const d = v128.load(dout + o + (<usize>ox << 2));
        const pos = v128.load(at + o + (<usize>ox << 2));
        const a = v128.and(d, f32x4.eq(pos, p0));
        const b = v128.and(d, f32x4.eq(pos, p1));
        const c = v128.and(d, f32x4.eq(pos, p2));
        const e = v128.and(d, f32x4.eq(pos, p3));
        const i = <usize>(2 * ox) << 2;
        v128.store(r0 + i, i32x4.shuffle(a, b, 0, 4, 1, 5));
        v128.store(r0 + i, i32x4.shuffle(a, b, 2, 6, 3, 7), 16);
        v128.store(r1 + i, i32x4.shuffle(c, e, 0, 4, 1, 5));
        v128.store(r1 + i, i32x4.shuffle(c, e, 2, 6, 3, 7), 16);
      }
      for (; ox < ow; ox++) {
        const g = load<f32>(dout + o + (<usize>ox << 2));
        const pos = load<f32>(at + o + (<usize>ox << 2));
        const i = <usize>(2 * ox) << 2;
        store<f32>(r0 + i, pos == 0 ? g : 0);
        store<f32>(r0 + i, pos == 1 ? g : 0, 4);
        store<f32>(r1 + i, pos == 2 ? g : 0);
        store<f32>(r1 + i, pos == 3 ? g : 0, 4);
      }
      if (w > 2 * ow) {
        zero(r0 + (<usize>(2 * ow) << 2), w - 2 * ow);
        zero(r1 + (<usize>(2 * ow) << 2), w - 2 * ow);
      }
    }
    if (h > 2 * oh) zero(base + <usize>(2 * oh) * rowBytes, (h - 2 * oh) * w);
  }
}
