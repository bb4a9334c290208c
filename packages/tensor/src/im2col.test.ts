import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { zeros } from './creation.js';
import { col2im, convOutputSize, im2col } from './im2col.js';
import { matmul } from './matmul.js';
import { type DType, Tensor } from './tensor.js';
import { type Conv, convArb, directConv, outSize, pixel } from './test-support/conv.js';
import { dtypeArb, expectClose, expectSameValues, expectShapeError, randomTensor, seedArb } from './test-support/index.js';

/** The oracle of im2col: every entry gathered by its index formula. */
function gather(x: Tensor, g: Conv): number[] {
  const { oh, ow } = outSize(g);
  const out: number[] = [];
  for (let n = 0; n < g.n; n++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let ch = 0; ch < g.c; ch++)
          for (let ky = 0; ky < g.fh; ky++)
            for (let kx = 0; kx < g.fw; kx++) out.push(pixel(x, g, n, ch, oy * g.stride + ky - g.pad, ox * g.stride + kx - g.pad));
  return out;
}

/** The oracle of col2im: every entry of cols scattered (added) to the pixel it came from, dropped in the padding. */
function scatter(cols: Tensor, g: Conv): Float64Array {
  const { oh, ow } = outSize(g);
  const x = new Float64Array(g.n * g.c * g.h * g.w);
  let k = 0;
  for (let n = 0; n < g.n; n++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let ch = 0; ch < g.c; ch++)
          for (let ky = 0; ky < g.fh; ky++)
            for (let kx = 0; kx < g.fw; kx++, k++) {
              const iy = oy * g.stride + ky - g.pad;
              const ix = ox * g.stride + kx - g.pad;
              if (iy >= 0 && iy < g.h && ix >= 0 && ix < g.w) x[((n * g.c + ch) * g.h + iy) * g.w + ix]! += cols.data[k]!;
            }
  return x;
}

/** The NCHW output from the GEMM result rows [N·OH·OW, F]: y[n, f, p] = rows[n·P + p, f]. */
function toNCHW(rows: Tensor, g: Conv): Float64Array {
  const { oh, ow } = outSize(g);
  const P = oh * ow;
  const y = new Float64Array(rows.size);
  for (let n = 0; n < g.n; n++) for (let f = 0; f < g.f; f++) for (let p = 0; p < P; p++) y[(n * g.f + f) * P + p] = rows.data[(n * P + p) * g.f + f]!;
  return y;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): { value: number; scale: number } {
  let value = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    value += a[i]! * b[i]!;
    scale += Math.abs(a[i]! * b[i]!);
  }
  return { value, scale };
}

/** Counts `new Float32Array` / `new Float64Array` while fn runs: how every tensor's storage is made. */
function countTypedArrays(fn: () => void): number {
  const saved32 = globalThis.Float32Array;
  const saved64 = globalThis.Float64Array;
  let count = 0;
  const counting = <T extends object>(ctor: T): T =>
    new Proxy(ctor, {
      construct(target, args, newTarget) {
        count++;
        return Reflect.construct(target as unknown as new (...a: unknown[]) => object, args, newTarget) as object;
      },
    });
  globalThis.Float32Array = counting(saved32);
  globalThis.Float64Array = counting(saved64);
  try {
    fn();
  } finally {
    globalThis.Float32Array = saved32;
    globalThis.Float64Array = saved64;
  }
  return count;
}

describe('convOutputSize', () => {
  it('is (H + 2·pad − fh) / stride + 1 rounded down, as the book', () => {
    expect(convOutputSize(28, 5)).toBe(24);
    expect(convOutputSize(7, 5, 1, 0)).toBe(3);
    expect(convOutputSize(4, 3, 1, 1)).toBe(4);
    expect(convOutputSize(7, 3, 2, 0)).toBe(3);
    // (6 − 3) / 2 = 1.5: the last column is out of the stride's reach and left out.
    expect(convOutputSize(6, 3, 2, 0)).toBe(2);
    expect(convOutputSize(2, 3)).toBe(0);
  });
});

describe('im2col', () => {
  it('unfolds a 1×1×3×3 input for a 2×2 filter as worked out by hand', () => {
    const x = new Tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);
    // Each row a window, read left to right and top to bottom.
    expect(im2col(x, 2, 2).toArray()).toEqual([
      [1, 2, 4, 5],
      [2, 3, 5, 6],
      [4, 5, 7, 8],
      [5, 6, 8, 9],
    ]);
    // Padding 1 and stride 2: (3 + 2 − 2) / 2 + 1 = 2 windows each way, starting at −1 and 1.
    expect(im2col(x, 2, 2, 2, 1).toArray()).toEqual([
      [0, 0, 0, 1],
      [0, 0, 2, 3],
      [0, 4, 0, 7],
      [5, 6, 8, 9],
    ]);
  });

  it("has the book's shapes: (9, 75) for [1, 3, 7, 7] and (90, 75) for [10, 3, 7, 7] with a 5×5 filter", () => {
    expect(im2col(randomTensor([1, 3, 7, 7], 'float64', 1), 5, 5, 1, 0).shape).toEqual([9, 75]);
    expect(im2col(randomTensor([10, 3, 7, 7], 'float64', 2), 5, 5, 1, 0).shape).toEqual([90, 75]);
  });

  it('puts channels before filter rows before filter columns in a row, and windows of a sample together', () => {
    // 2 channels, 2 samples: x[n, c, i, j] = 1000n + 100c + 10i + j names its own position.
    const x = new Tensor(
      Array.from({ length: 2 * 2 * 3 * 3 }, (_, k) => {
        const [n, c, i, j] = [Math.floor(k / 18), Math.floor(k / 9) % 2, Math.floor(k / 3) % 3, k % 3];
        return 1000 * n + 100 * c + 10 * i + j;
      }),
      [2, 2, 3, 3],
    );
    const cols = im2col(x, 2, 2);
    expect(cols.shape).toEqual([8, 8]);
    // Sample 1, window (1, 0): rows 4 + 2.
    expect(Array.from(cols.data.subarray(6 * 8, 7 * 8))).toEqual([1010, 1011, 1020, 1021, 1110, 1111, 1120, 1121]);
  });

  it('equals the entries gathered by their index formula, bit for bit, in float32 and float64', () => {
    fc.assert(
      fc.property(convArb(3), dtypeArb, seedArb, (g, dtype, seed) => {
        const x = randomTensor([g.n, g.c, g.h, g.w], dtype, seed);
        const cols = im2col(x, g.fh, g.fw, g.stride, g.pad);
        const { oh, ow } = outSize(g);
        expect(cols.shape).toEqual([g.n * oh * ow, g.c * g.fh * g.fw]);
        expect(cols.dtype).toBe(dtype);
        expectSameValues(cols.data, gather(x, g), 'im2col');
      }),
      { numRuns: 200 },
    );
  });

  it('followed by one matmul with W reshaped to [filters, C·fh·fw] is the direct convolution', () => {
    fc.assert(
      fc.property(convArb(3), dtypeArb, seedArb, (g, dtype, seed) => {
        const x = randomTensor([g.n, g.c, g.h, g.w], dtype, seed);
        const W = randomTensor([g.f, g.c, g.fh, g.fw], dtype, seed + 1);
        const cols = im2col(x, g.fh, g.fw, g.stride, g.pad);
        const rows = matmul(cols, W.reshape([g.f, g.c * g.fh * g.fw]), { transB: true });
        const { y, scale } = directConv(x, W, g);
        const k = g.c * g.fh * g.fw;
        // float64: k·2^-53 relative to Σ|terms|; float32: one rounding per multiply-add.
        const tol = dtype === 'float64' ? 1e-13 : (k + 2) * 2 ** -23;
        expectClose(toNCHW(rows, g), y, (i) => tol * scale[i]! + 1e-300, 'conv');
      }),
      { numRuns: 200 },
    );
  });

  it('writes into out, overwriting it, without allocating; out may have another dtype', () => {
    const x = randomTensor([2, 3, 5, 4], 'float64', 7);
    const out = zeros([2 * 3 * 3, 3 * 3 * 2], 'float32');
    out.data.fill(Number.NaN);
    let result: Tensor | undefined;
    expect(countTypedArrays(() => (result = im2col(x, 3, 2, 2, 1, out)))).toBe(0);
    expect(result).toBe(out);
    const g: Conv = { n: 2, c: 3, h: 5, w: 4, fh: 3, fw: 2, stride: 2, pad: 1, f: 1 };
    expectSameValues(
      out.data,
      gather(x, g).map((v) => Math.fround(v)),
      'im2col into float32',
    );
  });

  it('refuses inputs, filters and outs that do not fit, naming the shapes and the fix', () => {
    const x = zeros([1, 1, 3, 3]);
    expectShapeError(() => im2col(zeros([1, 9]), 2, 2), 'im2col', '4-D [batch, channels, height, width]', '[1, 9]');
    expectShapeError(() => im2col(x, 4, 2), 'a 4×2 filter does not fit a 3×3 input padded by 0', 'at most 3×3 or more padding');
    expect(im2col(x, 4, 2, 1, 1).shape).toEqual([2 * 4, 8]);
    expect(() => im2col(x, 0, 2)).toThrow('im2col: the filter height must be a whole number >= 1, got 0');
    expect(() => im2col(x, 2, 2, 0)).toThrow('im2col: stride must be a whole number >= 1, got 0');
    expect(() => im2col(x, 2, 2, 1, -1)).toThrow('im2col: pad must be a whole number >= 0, got -1');
    expect(() => im2col(x, 2, 1.5)).toThrow(/filter width/);
    expectShapeError(() => im2col(x, 2, 2, 1, 0, zeros([4, 5])), 'out has shape [4, 5] but the columns of x have [4, 4]');
    const shared = zeros([1, 1, 4, 4]);
    expectShapeError(() => im2col(shared, 4, 4, 1, 0, shared.reshape([1, 16])), 'out must not share memory with x');
  });
});

describe('col2im', () => {
  it('counts, for cols of ones, how many windows cover each pixel (a hand-worked 3×3 with a 2×2 filter)', () => {
    const ones = new Tensor(new Float64Array(16).fill(1), [4, 4]);
    expect(col2im(ones, [1, 1, 3, 3], 2, 2).toArray()).toEqual([
      [
        [
          [1, 2, 1],
          [2, 4, 2],
          [1, 2, 1],
        ],
      ],
    ]);
    // Padding 1, stride 2: the four windows tile the padded 5×5 but for its last row and column (all padding): each pixel once.
    expect(col2im(ones, [1, 1, 3, 3], 2, 2, 2, 1).toArray()).toEqual([
      [
        [
          [1, 1, 1],
          [1, 1, 1],
          [1, 1, 1],
        ],
      ],
    ]);
  });

  it('equals the naive scatter: exactly on small whole numbers, within rounding on any', () => {
    fc.assert(
      fc.property(convArb(3), dtypeArb, seedArb, fc.boolean(), (g, dtype, seed, whole) => {
        const { oh, ow } = outSize(g);
        const cols = randomTensor([g.n * oh * ow, g.c * g.fh * g.fw], dtype, seed, whole ? 'ints' : 'uniform');
        const x = col2im(cols, [g.n, g.c, g.h, g.w], g.fh, g.fw, g.stride, g.pad);
        expect(x.shape).toEqual([g.n, g.c, g.h, g.w]);
        expect(x.dtype).toBe(dtype);
        const expected = scatter(cols, g);
        // A pixel gathers at most fh·fw entries of size ≤ 1 (≤ 8 for whole numbers, whose sums are exact).
        if (whole) expectSameValues(x.data, expected, 'col2im');
        else expectClose(x.data, expected, () => (dtype === 'float64' ? 1e-14 : g.fh * g.fw * 2 ** -23) * g.fh * g.fw, 'col2im');
      }),
      { numRuns: 200 },
    );
  });

  it('is the adjoint of im2col: ⟨im2col(x), y⟩ = ⟨x, col2im(y)⟩', () => {
    fc.assert(
      fc.property(convArb(3), seedArb, (g, seed) => {
        const { oh, ow } = outSize(g);
        const x = randomTensor([g.n, g.c, g.h, g.w], 'float64', seed);
        const y = randomTensor([g.n * oh * ow, g.c * g.fh * g.fw], 'float64', seed + 1);
        const left = dot(im2col(x, g.fh, g.fw, g.stride, g.pad).data, y.data);
        const right = dot(x.data, col2im(y, x.shape, g.fh, g.fw, g.stride, g.pad).data);
        expect(Math.abs(left.value - right.value)).toBeLessThanOrEqual(1e-13 * (left.scale + right.scale) + 1e-300);
      }),
      { numRuns: 200 },
    );
  });

  it('overwrites out (old values do not leak in) without allocating; out may have another dtype', () => {
    const g: Conv = { n: 3, c: 2, h: 7, w: 5, fh: 3, fw: 3, stride: 1, pad: 2, f: 1 };
    const { oh, ow } = outSize(g);
    const cols = randomTensor([g.n * oh * ow, g.c * 9], 'float32', 3, 'ints');
    const out = zeros([3, 2, 7, 5], 'float64');
    out.data.fill(Number.NaN);
    let result: Tensor | undefined;
    expect(countTypedArrays(() => (result = col2im(cols, out.shape, 3, 3, 1, 2, out)))).toBe(0);
    expect(result).toBe(out);
    expectSameValues(out.data, scatter(cols, g), 'col2im into float64');
  });

  it('refuses cols and outs that do not fit the geometry, naming the shapes', () => {
    const cols = zeros([4, 4]);
    expectShapeError(() => col2im(cols, [1, 1, 3, 4], 2, 2), 'cols has shape [4, 4] but a 2×2 filter with stride 1 and pad 0 on [1, 1, 3, 4] makes [6, 4]');
    expectShapeError(() => col2im(cols, [1, 9], 2, 2), '4-D');
    expectShapeError(() => col2im(cols, [1, 1, 1, 1], 2, 2), 'does not fit');
    expectShapeError(
      () => col2im(cols, [1, 1, 3, 3], 2, 2, 1, 0, zeros([1, 1, 3, 4])),
      'out has shape [1, 1, 3, 4] but must have the input shape [1, 1, 3, 3]',
    );
    const shared = zeros([1, 1, 4, 4]);
    expectShapeError(() => col2im(shared.reshape([1, 16]), [1, 1, 4, 4], 4, 4, 1, 0, shared), 'out must not share memory with cols');
  });
});

describe.each<DType>(['float32', 'float64'])('im2col and col2im in %s on an empty batch', (dtype) => {
  it('give empty results', () => {
    const x = zeros([0, 2, 4, 4], dtype);
    expect(im2col(x, 3, 3).shape).toEqual([0, 18]);
    expect(col2im(zeros([0, 18], dtype), [0, 2, 4, 4], 3, 3).shape).toEqual([0, 2, 4, 4]);
  });
});
