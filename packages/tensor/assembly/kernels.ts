// The WASM SIMD kernels of @dlfs/tensor (AssemblyScript, compiled by scripts/build-wasm.mjs into
// src/wasm/kernels-wasm.ts). Every pointer is a byte offset into the imported memory and every
// size counts float32 elements. Nothing here allocates: the caller hands in any scratch space.
// Each kernel has a plain TypeScript twin in src/ that it is tested against.

// Matrix products: op(A) is m×k with element (i, p) at a + 4·(i·ai + p·ap); op(B) is k×n with
// element (p, j) at b + 4·(p·br + j·bc); C is m×n, row-major, and is overwritten.

@inline
function madd(acc: v128, s: v128, b: v128): v128 {
  return f32x4.add(acc, f32x4.mul(s, b));
}

/** Stores the first w (1..8) lanes of lo:hi at c. */
@inline
function storeRow8(c: usize, lo: v128, hi: v128, w: i32): void {
  if (w == 8) {
    v128.store(c, lo);
    v128.store(c, hi, 16);
    return;
  }
  if (w >= 4) {
    v128.store(c, lo);
    if (w > 4) store<f32>(c, f32x4.extract_lane(hi, 0), 16);
    if (w > 5) store<f32>(c, f32x4.extract_lane(hi, 1), 20);
    if (w > 6) store<f32>(c, f32x4.extract_lane(hi, 2), 24);
    return;
  }
  store<f32>(c, f32x4.extract_lane(lo, 0));
  if (w > 1) store<f32>(c, f32x4.extract_lane(lo, 1), 4);
  if (w > 2) store<f32>(c, f32x4.extract_lane(lo, 2), 8);
}

/**
 * Copies columns j0 .. j0+7 of op(B) into `panel`, 8 floats per row p, zeros past column n, so
 * that the micro-kernel reads B as one contiguous stream whatever B's strides are.
 */
function packStrip(b: usize, br: i32, bc: i32, k: i32, j0: i32, n: i32, panel: usize): void {
  const w = min(8, n - j0);
  if (w == 8 && bc == 1) {
    let src = b + (<usize>j0 << 2);
    const step = <usize>br << 2;
    for (let p = 0; p < k; p++) {
      v128.store(panel, v128.load(src));
      v128.store(panel, v128.load(src, 16), 16);
      src += step;
      panel += 32;
    }
    return;
  }
  if (br == 1) {
    // op(B) = Bᵀ with B row-major: column j of op(B) is row j of B, contiguous in p.
    memory.fill(panel, 0, <usize>k << 5);
    for (let jj = 0; jj < w; jj++) {
      let src = b + (<usize>((j0 + jj) * bc) << 2);
      let dst = panel + (<usize>jj << 2);
      for (let p = 0; p < k; p++) {
        store<f32>(dst, load<f32>(src));
        src += 4;
        dst += 32;
      }
    }
    return;
  }
  for (let p = 0; p < k; p++) {
    const row = b + (<usize>(p * br + j0 * bc) << 2);
    for (let jj = 0; jj < 8; jj++) {
      store<f32>(panel + (<usize>jj << 2), jj < w ? load<f32>(row + (<usize>(jj * bc) << 2)) : 0);
    }
    panel += 32;
  }
}

/** C[4 rows × w cols] = A[4 rows, :] · panel, accumulated in 8 registers over the whole k. */
function tile4x8(a: usize, ai: usize, ap: usize, panel: usize, k: i32, c: usize, ldc: usize, w: i32): void {
  let c00 = f32x4.splat(0);
  let c01 = c00;
  let c10 = c00;
  let c11 = c00;
  let c20 = c00;
  let c21 = c00;
  let c30 = c00;
  let c31 = c00;
  let a0 = a;
  let a1 = a0 + ai;
  let a2 = a1 + ai;
  let a3 = a2 + ai;
  let bp = panel;
  for (let p = 0; p < k; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let s = v128.load32_splat(a0);
    c00 = madd(c00, s, b0);
    c01 = madd(c01, s, b1);
    s = v128.load32_splat(a1);
    c10 = madd(c10, s, b0);
    c11 = madd(c11, s, b1);
    s = v128.load32_splat(a2);
    c20 = madd(c20, s, b0);
    c21 = madd(c21, s, b1);
    s = v128.load32_splat(a3);
    c30 = madd(c30, s, b0);
    c31 = madd(c31, s, b1);
    a0 += ap;
    a1 += ap;
    a2 += ap;
    a3 += ap;
    bp += 32;
  }
  storeRow8(c, c00, c01, w);
  storeRow8(c + ldc, c10, c11, w);
  storeRow8(c + 2 * ldc, c20, c21, w);
  storeRow8(c + 3 * ldc, c30, c31, w);
}

/** One row of tile4x8, for the rows left over when m is not a multiple of 4. */
function tile1x8(a: usize, ap: usize, panel: usize, k: i32, c: usize, w: i32): void {
  let c0 = f32x4.splat(0);
  let c1 = c0;
  let bp = panel;
  for (let p = 0; p < k; p++) {
    const s = v128.load32_splat(a);
    c0 = madd(c0, s, v128.load(bp));
    c1 = madd(c1, s, v128.load(bp, 16));
    a += ap;
    bp += 32;
  }
  storeRow8(c, c0, c1, w);
}

/**
 * Dense C = op(A) · op(B): for each strip of 8 columns, pack the strip of op(B) (k×8, in L1),
 * then sweep 4-row tiles of C that stay in registers for the whole k. `panel` is scratch of
 * 32·k bytes. No zero of A is skipped here (0 · NaN is NaN).
 */
export function gemm(m: i32, n: i32, k: i32, a: usize, ai: i32, ap: i32, b: usize, br: i32, bc: i32, c: usize, panel: usize): void {
  gemmColumns(m, n, k, a, ai, ap, b, br, bc, c, panel, 0, n);
}

/**
 * gemm for the columns [c0, c1) of C only (C is still n wide; c0 a multiple of 8): the share of
 * one thread when a product is split by columns. Each element is computed as gemm computes it.
 */
export function gemmColumns(m: i32, n: i32, k: i32, a: usize, ai: i32, ap: i32, b: usize, br: i32, bc: i32, c: usize, panel: usize, c0: i32, c1: i32): void {
  const aiB = <usize>ai << 2;
  const apB = <usize>ap << 2;
  const ldc = <usize>n << 2;
  for (let j0 = c0; j0 < c1; j0 += 8) {
    const w = min(8, n - j0);
    packStrip(b, br, bc, k, j0, n, panel);
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      tile4x8(a + <usize>i * aiB, aiB, apB, panel, k, c + <usize>i * ldc + (<usize>j0 << 2), ldc, w);
    }
    for (; i < m; i++) {
      tile1x8(a + <usize>i * aiB, apB, panel, k, c + <usize>i * ldc + (<usize>j0 << 2), w);
    }
  }
}

// For each 4-bit mask of nonzero lanes, the i8x16.swizzle that moves those lanes to the front.
const PACK: usize = memory.data<u8>([
  0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
  0x00, 0x01, 0x02, 0x03, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
  0x04, 0x05, 0x06, 0x07, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
  0x08, 0x09, 0x0a, 0x0b, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
  0x00, 0x01, 0x02, 0x03, 0x08, 0x09, 0x0a, 0x0b, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
  0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x80, 0x80, 0x80, 0x80,
  0x0c, 0x0d, 0x0e, 0x0f, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
  0x00, 0x01, 0x02, 0x03, 0x0c, 0x0d, 0x0e, 0x0f, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
  0x04, 0x05, 0x06, 0x07, 0x0c, 0x0d, 0x0e, 0x0f, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x0c, 0x0d, 0x0e, 0x0f, 0x80, 0x80, 0x80, 0x80,
  0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
  0x00, 0x01, 0x02, 0x03, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x80, 0x80, 0x80, 0x80,
  0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x80, 0x80, 0x80, 0x80,
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
]);

/**
 * Lists the nonzero elements of len floats at x: (index · scale) goes to idx (i32), the value
 * to val (f32), in order. NaN counts as nonzero. Returns how many. Branch-free per 4 lanes: the
 * nonzero lanes are packed to the front with a swizzle and stored whole (the 16-byte store at
 * entry nnz <= p ends by element p + 4 <= len, so 4·len bytes of idx and val suffice).
 */
@inline
function nonzeros(x: usize, len: i32, scale: i32, idx: usize, val: usize): i32 {
  let nnz = 0;
  let p = 0;
  const zero = f32x4.splat(0);
  let lanes = i32x4.mul(i32x4(0, 1, 2, 3), i32x4.splat(scale));
  const step = i32x4.splat(scale << 2);
  for (; p + 4 <= len; p += 4) {
    const v = v128.load(x + (<usize>p << 2));
    const mask = i32x4.bitmask(f32x4.ne(v, zero));
    if (mask != 0) {
      const pack = v128.load(PACK + (<usize>mask << 4));
      v128.store(val + (<usize>nnz << 2), i8x16.swizzle(v, pack));
      v128.store(idx + (<usize>nnz << 2), i8x16.swizzle(lanes, pack));
      nnz += popcnt(mask);
    }
    lanes = i32x4.add(lanes, step);
  }
  for (; p < len; p++) {
    const v = load<f32>(x + (<usize>p << 2));
    if (v != 0) {
      store<i32>(idx + (<usize>nnz << 2), p * scale);
      store<f32>(val + (<usize>nnz << 2), v);
      nnz++;
    }
  }
  return nnz;
}

/** 28 columns of C's row at c: Σ_q val[q] · B[row at b + idx[q]], columns at b. */
@inline
function sparse28(nnz: i32, b: usize, c: usize, idx: usize, val: usize): void {
  let r0 = f32x4.splat(0);
  let r1 = r0;
  let r2 = r0;
  let r3 = r0;
  let r4 = r0;
  let r5 = r0;
  let r6 = r0;
  for (let q = 0; q < nnz; q++) {
    const s = v128.load32_splat(val + (<usize>q << 2));
    const bp = b + <usize>load<i32>(idx + (<usize>q << 2));
    r0 = madd(r0, s, v128.load(bp));
    r1 = madd(r1, s, v128.load(bp, 16));
    r2 = madd(r2, s, v128.load(bp, 32));
    r3 = madd(r3, s, v128.load(bp, 48));
    r4 = madd(r4, s, v128.load(bp, 64));
    r5 = madd(r5, s, v128.load(bp, 80));
    r6 = madd(r6, s, v128.load(bp, 96));
  }
  v128.store(c, r0);
  v128.store(c, r1, 16);
  v128.store(c, r2, 32);
  v128.store(c, r3, 48);
  v128.store(c, r4, 64);
  v128.store(c, r5, 80);
  v128.store(c, r6, 96);
}

/** 24 columns of C's row at c: Σ_q val[q] · B[row at b + idx[q]], columns at b. */
@inline
function sparse24(nnz: i32, b: usize, c: usize, idx: usize, val: usize): void {
  let r0 = f32x4.splat(0);
  let r1 = r0;
  let r2 = r0;
  let r3 = r0;
  let r4 = r0;
  let r5 = r0;
  for (let q = 0; q < nnz; q++) {
    const s = v128.load32_splat(val + (<usize>q << 2));
    const bp = b + <usize>load<i32>(idx + (<usize>q << 2));
    r0 = madd(r0, s, v128.load(bp));
    r1 = madd(r1, s, v128.load(bp, 16));
    r2 = madd(r2, s, v128.load(bp, 32));
    r3 = madd(r3, s, v128.load(bp, 48));
    r4 = madd(r4, s, v128.load(bp, 64));
    r5 = madd(r5, s, v128.load(bp, 80));
  }
  v128.store(c, r0);
  v128.store(c, r1, 16);
  v128.store(c, r2, 32);
  v128.store(c, r3, 48);
  v128.store(c, r4, 64);
  v128.store(c, r5, 80);
}

/** 16 columns of C's row at c: Σ_q val[q] · B[row at b + idx[q]], columns at b. */
@inline
function sparse16(nnz: i32, b: usize, c: usize, idx: usize, val: usize): void {
  let r0 = f32x4.splat(0);
  let r1 = r0;
  let r2 = r0;
  let r3 = r0;
  for (let q = 0; q < nnz; q++) {
    const s = v128.load32_splat(val + (<usize>q << 2));
    const bp = b + <usize>load<i32>(idx + (<usize>q << 2));
    r0 = madd(r0, s, v128.load(bp));
    r1 = madd(r1, s, v128.load(bp, 16));
    r2 = madd(r2, s, v128.load(bp, 32));
    r3 = madd(r3, s, v128.load(bp, 48));
  }
  v128.store(c, r0);
  v128.store(c, r1, 16);
  v128.store(c, r2, 32);
  v128.store(c, r3, 48);
}

/** 8 columns of C's row at c: Σ_q val[q] · B[row at b + idx[q]], columns at b. */
@inline
function sparse8(nnz: i32, b: usize, c: usize, idx: usize, val: usize): void {
  let r0 = f32x4.splat(0);
  let r1 = r0;
  for (let q = 0; q < nnz; q++) {
    const s = v128.load32_splat(val + (<usize>q << 2));
    const bp = b + <usize>load<i32>(idx + (<usize>q << 2));
    r0 = madd(r0, s, v128.load(bp));
    r1 = madd(r1, s, v128.load(bp, 16));
  }
  v128.store(c, r0);
  v128.store(c, r1, 16);
}

/** 4 columns of C's row at c: Σ_q val[q] · B[row at b + idx[q]], columns at b. */
@inline
function sparse4(nnz: i32, b: usize, c: usize, idx: usize, val: usize): void {
  let r0 = f32x4.splat(0);
  for (let q = 0; q < nnz; q++) {
    const s = v128.load32_splat(val + (<usize>q << 2));
    const bp = b + <usize>load<i32>(idx + (<usize>q << 2));
    r0 = madd(r0, s, v128.load(bp));
  }
  v128.store(c, r0);
}

/**
 * One row of C = Σ_q val[q] · B[row at b + idx[q]] (n columns at c), in strips of up to 28
 * columns held in registers: 7 accumulators, 7 loaded vectors and the splat use all 15 vector
 * registers V8 allocates on x64 (it hoists a strip's loads above its arithmetic, so a wider strip
 * spills). The last strip is widened to 4, 8, 16, 24 or 28 columns ending at column n when that
 * fits, redoing some finished columns with the very same sums (so, bit for bit, the same values).
 */
function sparseRow(nnz: i32, n: i32, b: usize, c: usize, idx: usize, val: usize): void {
  if (n < 4) {
    for (let j = 0; j < n; j++) {
      let s: f32 = 0;
      const bj = b + (<usize>j << 2);
      for (let q = 0; q < nnz; q++) {
        s += load<f32>(val + (<usize>q << 2)) * load<f32>(bj + <usize>load<i32>(idx + (<usize>q << 2)));
      }
      store<f32>(c + (<usize>j << 2), s);
    }
    return;
  }
  let j = 0;
  for (; j + 28 <= n; j += 28) sparse28(nnz, b + (<usize>j << 2), c + (<usize>j << 2), idx, val);
  const r = n - j;
  if (r == 0) return;
  const w = r <= 4 ? 4 : r <= 8 ? 8 : r <= 16 ? 16 : r <= 24 ? 24 : 28;
  if (w <= n) {
    const at = <usize>(n - w) << 2;
    if (w == 4) sparse4(nnz, b + at, c + at, idx, val);
    else if (w == 8) sparse8(nnz, b + at, c + at, idx, val);
    else if (w == 16) sparse16(nnz, b + at, c + at, idx, val);
    else if (w == 24) sparse24(nnz, b + at, c + at, idx, val);
    else sparse28(nnz, b + at, c + at, idx, val);
    return;
  }
  // 4 <= n < w: strips of 16, 8 and 4, then the last 4 columns (overlapping when n % 4 != 0).
  if (j + 16 <= n) {
    sparse16(nnz, b + (<usize>j << 2), c + (<usize>j << 2), idx, val);
    j += 16;
  }
  if (j + 8 <= n) {
    sparse8(nnz, b + (<usize>j << 2), c + (<usize>j << 2), idx, val);
    j += 8;
  }
  if (j + 4 <= n) {
    sparse4(nnz, b + (<usize>j << 2), c + (<usize>j << 2), idx, val);
    j += 4;
  }
  if (j < n) sparse4(nnz, b + (<usize>(n - 4) << 2), c + (<usize>(n - 4) << 2), idx, val);
}

/**
 * C = A · B for a row-major A (m×k) with many zeros, such as MNIST pixels: row by row, only
 * the nonzero A[i, p] contribute, C[i, :] = Σ A[i, p] · B[p, :]. A zero of A is skipped, so
 * 0 · NaN counts as 0 as in sparse BLAS. idx and val are scratch of 4·k bytes each.
 */
export function gemmSparseA(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, idx: usize, val: usize): void {
  const rowB = n << 2;
  for (let i = 0; i < m; i++) {
    const nnz = nonzeros(a + (<usize>(i * k) << 2), k, rowB, idx, val);
    sparseRow(nnz, n, b, c + (<usize>(i * n) << 2), idx, val);
  }
}

/**
 * C = Aᵀ · B for a row-major A (k×m) with many zeros (dW = xᵀ · dout): atRows columns of A at a
 * time are transposed into `at` (scratch of 4·atRows·k bytes, small enough to stay in L1), then
 * gemmSparseA runs on their rows, so each C[i, :] = Σ_p A[p, i] · B[p, :] sums over p in order in
 * registers and C is written once. Zeros of A are skipped (0 · NaN counts as 0). idx and val are
 * scratch of 4·k bytes each.
 */
export function gemmSparseAT(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, at: usize, atRows: i32, idx: usize, val: usize): void {
  gemmSparseATRows(m, n, k, a, b, c, at, atRows, idx, val, 0, m);
}

/** gemmSparseAT for the rows [r0, r1) of C only: the share of one thread when a product is split by rows. */
export function gemmSparseATRows(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, at: usize, atRows: i32, idx: usize, val: usize, r0: i32, r1: i32): void {
  for (let i0 = r0; i0 < r1; i0 += atRows) {
    const w = min(atRows, r1 - i0);
    transposeStrided(a + (<usize>i0 << 2), k, w, <usize>m << 2, at);
    gemmSparseA(w, n, k, at, b, c + (<usize>(i0 * n) << 2), idx, val);
  }
}

/**
 * C = A · Bᵀ for a row-major A (m×k) with many zeros and a row-major B (n×k), such as
 * dx = dout · Wᵀ behind a ReLU: B is transposed into `bt` (scratch of 4·n·k bytes), then
 * gemmSparseA runs. Zeros of A are skipped (0 · NaN counts as 0). idx and val are scratch of
 * 4·k bytes each.
 */
export function gemmSparseABt(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, bt: usize, idx: usize, val: usize): void {
  transpose(b, n, k, bt);
  gemmSparseA(m, n, k, a, bt, c, idx, val);
}

/** The 4×4 block at src (rows rowX bytes apart), transposed to dst (rows rowO bytes apart). */
@inline
function block4x4(src: usize, rowX: usize, dst: usize, rowO: usize): void {
  const r0 = v128.load(src);
  const r1 = v128.load(src + rowX);
  const r2 = v128.load(src + 2 * rowX);
  const r3 = v128.load(src + 3 * rowX);
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(dst + rowO, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * rowO, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * rowO, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

/**
 * out (cols×rows) = xᵀ for a row-major x (rows×cols), in 4×4 blocks of shuffles. The inner loop
 * runs along the shorter side, so the cache lines it keeps revisiting (of x when walking down
 * the rows, of out when walking along the columns) stay in L1 from one block to the next:
 * for x = 100×784 (dW₁ = xᵀ·dout) that takes a third off the time.
 */
export function transpose(x: usize, rows: i32, cols: i32, out: usize): void {
  transposeStrided(x, rows, cols, <usize>cols << 2, out);
}

/** transpose for x whose rows are rowX bytes apart (a block of columns of a wider matrix). */
function transposeStrided(x: usize, rows: i32, cols: i32, rowX: usize, out: usize): void {
  const rowO = <usize>rows << 2;
  const rows4 = rows & ~3;
  const cols4 = cols & ~3;
  if (rows <= cols) {
    for (let c = 0; c < cols4; c += 4) {
      for (let r = 0; r < rows4; r += 4) block4x4(x + <usize>r * rowX + (<usize>c << 2), rowX, out + <usize>c * rowO + (<usize>r << 2), rowO);
    }
  } else {
    for (let r = 0; r < rows4; r += 4) {
      for (let c = 0; c < cols4; c += 4) block4x4(x + <usize>r * rowX + (<usize>c << 2), rowX, out + <usize>c * rowO + (<usize>r << 2), rowO);
    }
  }
  // The last rows % 4 rows, then the last cols % 4 columns, one element at a time.
  for (let r = rows4; r < rows; r++) {
    for (let c = 0; c < cols4; c++) store<f32>(out + <usize>c * rowO + (<usize>r << 2), load<f32>(x + <usize>r * rowX + (<usize>c << 2)));
  }
  for (let c = cols4; c < cols; c++) {
    for (let r = 0; r < rows; r++) store<f32>(out + <usize>c * rowO + (<usize>r << 2), load<f32>(x + <usize>r * rowX + (<usize>c << 2)));
  }
}

// The element-wise kernels of the training step.

/** out[r, :] = x[r, :] + b for rows×n x and a bias b of n (5.6.2: Y = X·W + B). */
export function addBias(x: usize, b: usize, out: usize, rows: i32, n: i32): void {
  for (let r = 0; r < rows; r++) {
    const off = <usize>(r * n) << 2;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(out + off + o, f32x4.add(v128.load(x + off + o), v128.load(b + o)));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(out + off + o, load<f32>(x + off + o) + load<f32>(b + o));
    }
  }
}

/** 5.5.1: y = x where x > 0, else 0 (NaN passes through, -0 becomes 0). */
export function relu(x: usize, y: usize, len: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    v128.store(y + o, v128.andnot(v, f32x4.le(v, zero)));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    store<f32>(y + o, v <= 0 ? 0 : v);
  }
}

/** 5.5.1: dx = dout where the forward value (its input or its output) is > 0, else 0. */
export function reluBackward(dout: usize, y: usize, dx: usize, len: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i << 2;
    v128.store(dx + o, v128.andnot(v128.load(dout + o), f32x4.le(v128.load(y + o), zero)));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, load<f32>(y + o) <= 0 ? 0 : load<f32>(dout + o));
  }
}

/**
 * y += alpha · x, computed like the TypeScript twin: in float64 (alpha is not rounded to
 * float32) and rounded to float32 once, so both give the same bits.
 */
export function axpy(alpha: f64, x: usize, y: usize, len: i32): void {
  const a = f64x2.splat(alpha);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i << 2;
    const xv = v128.load(x + o);
    const yv = v128.load(y + o);
    const lo = f64x2.add(f64x2.promote_low_f32x4(yv), f64x2.mul(a, f64x2.promote_low_f32x4(xv)));
    const hi = f64x2.add(
      f64x2.promote_low_f32x4(i32x4.shuffle(yv, yv, 2, 3, 0, 1)),
      f64x2.mul(a, f64x2.promote_low_f32x4(i32x4.shuffle(xv, xv, 2, 3, 0, 1))),
    );
    const l = f32x4.demote_f64x2_zero(lo);
    const h = f32x4.demote_f64x2_zero(hi);
    v128.store(y + o, i32x4.shuffle(l, h, 0, 1, 4, 5));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, <f32>(<f64>load<f32>(y + o) + alpha * <f64>load<f32>(x + o)));
  }
}

/**
 * 5.6.3 softmax with cross-entropy for class-index labels, row by row in float64:
 * y = exp(x − max) / Σ exp(x − max); returns L = (1/rows) Σ −log y[t]. When probs is not 0 it
 * gets y; when dx is not 0 it gets (y − onehot(t)) · scale. e is scratch of 8·classes bytes.
 */
export function softmaxCrossEntropy(x: usize, rows: i32, classes: i32, labels: usize, probs: usize, dx: usize, scale: f64, e: usize): f64 {
  let loss: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * classes) << 2);
    let mx = -Infinity;
    for (let k = 0; k < classes; k++) {
      const v = <f64>load<f32>(xr + (<usize>k << 2));
      if (v > mx) mx = v;
    }
    let s: f64 = 0;
    for (let k = 0; k < classes; k++) {
      const ev = Math.exp(<f64>load<f32>(xr + (<usize>k << 2)) - mx);
      store<f64>(e + (<usize>k << 3), ev);
      s += ev;
    }
    const t = load<i32>(labels + (<usize>r << 2));
    loss += Math.log(s) + mx - <f64>load<f32>(xr + (<usize>t << 2));
    if (probs != 0) {
      const pr = probs + (<usize>(r * classes) << 2);
      for (let k = 0; k < classes; k++) store<f32>(pr + (<usize>k << 2), <f32>(load<f64>(e + (<usize>k << 3)) / s));
    }
    if (dx != 0) {
      const dr = dx + (<usize>(r * classes) << 2);
      for (let k = 0; k < classes; k++) {
        const y = load<f64>(e + (<usize>k << 3)) / s;
        store<f32>(dr + (<usize>k << 2), <f32>((k == t ? y - 1 : y) * scale));
      }
    }
  }
  return loss / rows;
}
