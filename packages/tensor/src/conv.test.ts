import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kernelStats, resetKernelStats } from './kernel-stats.js';
import { conv2d, conv2dFilterGrad, conv2dInputGrad, convCols, filterGradBlocks, maxPool2d, maxPool2dBackward } from './conv.js';
import { zeros } from './creation.js';
import { convOutputSize, im2col } from './im2col.js';
import { type DType, Tensor } from './tensor.js';
import { type Conv, convArb, directConv, outSize, pixel } from './test-support/conv.js';
import { dtypeArb, expectClose, expectSameValues, expectShapeError, place, randomTensor, seedArb, withBackend } from './test-support/index.js';

/** The oracle of the gradients by their definitions: dW = Σ dout · x (shifted), db = Σ dout, dx = Σ dout · W (spread back). */
function directGrads(x: Tensor, W: Tensor, dout: Tensor, g: Conv) {
  const { oh, ow } = outSize(g);
  const dW = new Float64Array(W.size);
  const dWScale = new Float64Array(W.size);
  const db = new Float64Array(g.f);
  const dbScale = new Float64Array(g.f);
  const dx = new Float64Array(x.size);
  const dxScale = new Float64Array(x.size);
  for (let n = 0; n < g.n; n++)
    for (let f = 0; f < g.f; f++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          const d = dout.data[((n * g.f + f) * oh + oy) * ow + ox]!;
          db[f]! += d;
          dbScale[f]! += Math.abs(d);
          for (let ch = 0; ch < g.c; ch++)
            for (let ky = 0; ky < g.fh; ky++)
              for (let kx = 0; kx < g.fw; kx++) {
                const iy = oy * g.stride + ky - g.pad;
                const ix = ox * g.stride + kx - g.pad;
                const wi = ((f * g.c + ch) * g.fh + ky) * g.fw + kx;
                const v = pixel(x, g, n, ch, iy, ix);
                dW[wi]! += d * v;
                dWScale[wi]! += Math.abs(d * v);
                if (iy >= 0 && iy < g.h && ix >= 0 && ix < g.w) {
                  const xi = ((n * g.c + ch) * g.h + iy) * g.w + ix;
                  dx[xi]! += d * W.data[wi]!;
                  dxScale[xi]! += Math.abs(d * W.data[wi]!);
                }
              }
        }
  return { dW, dWScale, db, dbScale, dx, dxScale };
}

/** The tolerance of a sum of k terms against its float64 value: rounding relative to Σ|terms|. */
function tolerance(dtype: DType, k: number): number {
  return dtype === 'float64' ? 1e-13 : (k + 4) * 2 ** -23;
}

function operands(g: Conv, dtype: DType, seed: number) {
  const { oh, ow } = outSize(g);
  return {
    x: randomTensor([g.n, g.c, g.h, g.w], dtype, seed, seed % 3 === 0 ? 'mnist' : 'uniform'),
    W: randomTensor([g.f, g.c, g.fh, g.fw], dtype, seed + 1),
    b: randomTensor([g.f], dtype, seed + 2),
    dout: randomTensor([g.n, g.f, oh, ow], dtype, seed + 3, seed % 2 === 0 ? 'sparse' : 'uniform'),
  };
}

describe('convCols', () => {
  it("holds the book's im2col with each sample's block transposed, bit for bit, in both dtypes and on both backends", () => {
    fc.assert(
      fc.property(convArb(6), dtypeArb, seedArb, fc.constantFrom('wasm', 'js' as const), (g, dtype, seed, backend) => {
        const x = randomTensor([g.n, g.c, g.h, g.w], dtype, seed);
        const cols = withBackend(backend, () => convCols(x, g.fh, g.fw, g.stride, g.pad));
        const { oh, ow } = outSize(g);
        const P = oh * ow;
        const K = g.c * g.fh * g.fw;
        expect(cols.shape).toEqual([g.n, K, P]);
        const book = im2col(x, g.fh, g.fw, g.stride, g.pad); // [N·P, K]
        const expected = new Float64Array(cols.size);
        for (let n = 0; n < g.n; n++) for (let p = 0; p < P; p++) for (let k = 0; k < K; k++) expected[(n * K + k) * P + p] = book.data[(n * P + p) * K + k]!;
        expectSameValues(cols.data, expected, `${backend} convCols`);
      }),
      { numRuns: 150 },
    );
  });

  it('overwrites out, stale values and all', () => {
    const x = randomTensor([2, 2, 5, 5], 'float32', 3);
    const out = place(new Tensor(new Float32Array(2 * 2 * 9 * 9).fill(7), [2, 2 * 9, 9]), 'kernel');
    convCols(x, 3, 3, 2, 1, out);
    expectSameValues(out.data, convCols(x, 3, 3, 2, 1).data);
  });
});

describe('conv2d', () => {
  it('is the direct convolution plus the bias: stride, padding, odd sizes, several channels and filters', () => {
    fc.assert(
      fc.property(convArb(6), dtypeArb, seedArb, (g, dtype, seed) => {
        const { x, W, b } = operands(g, dtype, seed);
        const y = conv2d(x, W, b, { stride: g.stride, pad: g.pad });
        const { oh, ow } = outSize(g);
        expect(y.shape).toEqual([g.n, g.f, oh, ow]);
        const { y: expected, scale } = directConv(x, W, g, b);
        const tol = tolerance(dtype, g.c * g.fh * g.fw);
        expectClose(y.data, expected, (i) => tol * scale[i]! + 1e-300, 'conv2d');
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same values in WASM as the TypeScript reference, within float32 rounding, on MNIST-like and dense inputs', () => {
    fc.assert(
      fc.property(convArb(6), seedArb, (g, seed) => {
        const { x, W, b } = operands(g, 'float32', seed);
        const wasm = withBackend('wasm', () => conv2d(x, W, b, { stride: g.stride, pad: g.pad }));
        const js = withBackend('js', () => conv2d(x, W, b, { stride: g.stride, pad: g.pad }));
        const { scale } = directConv(x, W, g, b);
        const tol = 2 * tolerance('float32', g.c * g.fh * g.fw);
        expectClose(wasm.data, js.data, (i) => tol * scale[i]! + 1e-30, 'wasm vs js');
      }),
      { numRuns: 150 },
    );
  });

  it("computes SimpleConvNet's first layer in WASM with every operand in place", () => {
    const x = place(randomTensor([10, 1, 28, 28], 'float32', 5, 'mnist'), 'kernel');
    const W = place(randomTensor([30, 1, 5, 5], 'float32', 6), 'kernel');
    const b = place(randomTensor([30], 'float32', 7), 'kernel');
    const out = withBackend('wasm', () => zeros([10, 30, 24, 24], 'float32'));
    resetKernelStats();
    withBackend('wasm', () => conv2d(x, W, b, { out }));
    const stats = kernelStats().kernels;
    // One kernel call: the im2col and the product, sample by sample.
    expect(stats.conv2d).toMatchObject({ wasm: 1, reference: 0, copies: { calls: 0 } });
    expect(stats.convCols.wasm + stats.convCols.reference).toBe(0);
    const g = { n: 10, c: 1, h: 28, w: 28, fh: 5, fw: 5, stride: 1, pad: 0, f: 30 };
    const { y, scale } = directConv(x, W, g, b);
    expectClose(out.data, y, (i) => tolerance('float32', 25) * scale[i]! + 1e-30, 'conv2d');
  });

  it('refuses shapes that do not fit, naming them', () => {
    const x = zeros([2, 3, 8, 8]);
    expectShapeError(() => conv2d(x, zeros([4, 2, 3, 3]), zeros([4])), 'the input has 3 channels but W [4, 2, 3, 3] takes 2');
    expectShapeError(() => conv2d(x, zeros([4, 3, 3, 3]), zeros([3])), 'b must have shape [4]');
    expectShapeError(() => conv2d(x, zeros([4, 3, 9, 9]), zeros([4])), 'a 9×9 filter does not fit a 8×8 input padded by 0');
    expectShapeError(() => conv2d(zeros([3, 8, 8]), zeros([4, 3, 3, 3]), zeros([4])), 'the input must be 4-D');
    expectShapeError(() => conv2d(x, zeros([4, 3, 3, 3]), zeros([4]), { out: zeros([2, 4, 5, 5]) }), 'out has shape [2, 4, 5, 5] but must have [2, 4, 6, 6]');
    expect(() => conv2d(x, zeros([4, 3, 3, 3], 'float32'), zeros([4], 'float32'))).toThrow(/one dtype/);
    expect(() => conv2d(x, zeros([4, 3, 3, 3]), zeros([4]), { stride: 0 })).toThrow(/stride must be a whole number >= 1, got 0/);
  });
});

describe('conv2dFilterGrad and conv2dInputGrad', () => {
  it('are dW = Σ dout · x, db = Σ dout and dx = Σ dout · W by their definitions, in both dtypes and on both backends', () => {
    fc.assert(
      fc.property(convArb(6), dtypeArb, seedArb, fc.constantFrom('wasm', 'js' as const), (g, dtype, seed, backend) => {
        const { x, W, b, dout } = operands(g, dtype, seed);
        const { oh, ow } = outSize(g);
        const dW = zeros(W.shape, dtype);
        const db = zeros([g.f], dtype);
        const dx = withBackend(backend, () => {
          conv2dFilterGrad(dout, x, dW, db, { stride: g.stride, pad: g.pad });
          return conv2dInputGrad(dout, W, x.shape, { stride: g.stride, pad: g.pad });
        });
        const want = directGrads(x, W, dout, g);
        const positions = g.n * oh * ow;
        expectClose(dW.data, want.dW, (i) => tolerance(dtype, positions) * want.dWScale[i]! + 1e-300, `${backend} dW`);
        expectClose(db.data, want.db, (i) => tolerance(dtype, positions) * want.dbScale[i]! + 1e-300, `${backend} db`);
        expectClose(dx.data, want.dx, (i) => tolerance(dtype, g.f * g.fh * g.fw) * want.dxScale[i]! + 1e-300, `${backend} dx`);
        expect(b.shape).toEqual([g.f]);
      }),
      { numRuns: 150 },
    );
  });

  it("sum a large batch's filter gradient in blocks of samples in WASM, to the definition's value", () => {
    const g = { n: 40, c: 3, h: 24, w: 24, fh: 5, fw: 5, stride: 1, pad: 1, f: 10 };
    const { oh, ow } = outSize(g);
    // 40·10·75·22·22 = 14.5M multiply-adds: 3 blocks, whatever the thread count.
    expect(filterGradBlocks({ ...g, oh, ow })).toBe(3);
    const { x, W, dout } = operands(g, 'float32', 12);
    const dW = place(zeros(W.shape, 'float32'), 'kernel');
    const db = place(zeros([g.f], 'float32'), 'kernel');
    resetKernelStats();
    withBackend('wasm', () => conv2dFilterGrad(place(dout, 'kernel'), place(x, 'kernel'), dW, db, { pad: 1 }));
    expect(kernelStats().kernels.conv2dFilterGrad).toMatchObject({ wasm: 1, reference: 0 });
    const want = directGrads(x, W, dout, g);
    const positions = g.n * oh * ow;
    expectClose(dW.data, want.dW, (i) => tolerance('float32', positions) * want.dWScale[i]! + 1e-30, 'dW');
    expectClose(db.data, want.db, (i) => tolerance('float32', positions) * want.dbScale[i]! + 1e-30, 'db');
  });

  it('dx is the adjoint of the convolution: ⟨conv(x), dout⟩ = ⟨x, dx(dout)⟩ with no bias', () => {
    fc.assert(
      fc.property(convArb(6), seedArb, (g, seed) => {
        const { x, W, dout } = operands(g, 'float64', seed);
        const y = conv2d(x, W, zeros([g.f]), { stride: g.stride, pad: g.pad });
        const dx = conv2dInputGrad(dout, W, x.shape, { stride: g.stride, pad: g.pad });
        let left = 0;
        let right = 0;
        let scale = 0;
        for (let i = 0; i < y.size; i++) {
          left += y.data[i]! * dout.data[i]!;
          scale += Math.abs(y.data[i]! * dout.data[i]!);
        }
        for (let i = 0; i < x.size; i++) right += x.data[i]! * dx.data[i]!;
        expect(Math.abs(left - right)).toBeLessThanOrEqual(1e-12 * (scale + 1));
      }),
      { numRuns: 100 },
    );
  });

  it('overwrite dW, db and dx (old values never leak in), and refuse a dout of the wrong shape', () => {
    const g = { n: 2, c: 2, h: 6, w: 6, fh: 3, fw: 3, stride: 1, pad: 1, f: 3 };
    const { x, W, dout } = operands(g, 'float32', 9);
    const dW = new Tensor(new Float32Array(W.size).fill(5), W.shape);
    const db = new Tensor(new Float32Array(3).fill(5), [3]);
    const dx = new Tensor(new Float32Array(x.size).fill(5), x.shape);
    conv2dFilterGrad(dout, x, dW, db, { pad: 1 });
    conv2dInputGrad(dout, W, x.shape, { pad: 1, out: dx });
    const want = directGrads(x, W, dout, g);
    expectClose(dW.data, want.dW, (i) => 1e-5 * want.dWScale[i]!, 'dW');
    expectClose(db.data, want.db, (i) => 1e-5 * want.dbScale[i]!, 'db');
    expectClose(dx.data, want.dx, (i) => 1e-5 * want.dxScale[i]! + 1e-30, 'dx');
    expectShapeError(() => conv2dInputGrad(zeros([2, 3, 5, 5], 'float32'), W, x.shape, { pad: 1 }), "must have the output's shape [2, 3, 6, 6]");
    expectShapeError(
      () => conv2dFilterGrad(zeros([2, 3, 5, 5], 'float32'), x, dW, db, { pad: 1 }),
      "dout [2, 3, 5, 5] must have the output's shape [2, 3, 6, 6] (x [2, 2, 6, 6], dW [3, 2, 3, 3])",
    );
    expectShapeError(() => conv2dFilterGrad(dout, x, zeros([3, 1, 3, 3], 'float32'), db, { pad: 1 }), 'the input has 2 channels but W [3, 1, 3, 3] takes 1');
    expectShapeError(() => conv2dFilterGrad(dout, x, dW, zeros([2], 'float32'), { pad: 1 }), 'db has shape [2] but must have [3]');
  });
});

/** The oracle of max pooling: each window's largest value and its first position, NaN winning. */
function directPool(x: Tensor, size: number, stride: number) {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const oh = convOutputSize(h, size, stride);
  const ow = convOutputSize(w, size, stride);
  const out: number[] = [];
  const at: number[] = [];
  for (let q = 0; q < n * c; q++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        const values: number[] = [];
        for (let ky = 0; ky < size; ky++) for (let kx = 0; kx < size; kx++) values.push(x.data[q * h * w + (oy * stride + ky) * w + ox * stride + kx]!);
        const nan = values.findIndex((v) => Number.isNaN(v));
        const best = nan >= 0 ? nan : values.indexOf(Math.max(...values));
        out.push(values[best]!);
        at.push(best);
      }
  return { out, at, shape: [n, c, oh, ow] };
}

const poolArb = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    c: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 13 }),
    w: fc.integer({ min: 1, max: 13 }),
    size: fc.integer({ min: 1, max: 4 }),
    stride: fc.integer({ min: 1, max: 3 }),
  })
  .filter((g) => g.h >= g.size && g.w >= g.size);

describe('maxPool2d and maxPool2dBackward', () => {
  it('take each window’s largest value, the first of equal ones and any NaN, bit for bit on both backends', () => {
    fc.assert(
      fc.property(poolArb, dtypeArb, seedArb, fc.constantFrom('ints', 'special', 'uniform' as const), (g, dtype, seed, kind) => {
        const x = randomTensor([g.n, g.c, g.h, g.w], dtype, seed, kind);
        const want = directPool(x, g.size, g.stride);
        for (const backend of ['wasm', 'js'] as const) {
          const { out, at } = withBackend(backend, () => maxPool2d(place(x, 'kernel'), g.size, g.stride));
          expect(out.shape).toEqual(want.shape);
          expectSameValues(out.data, want.out, `${backend} out`);
          expectSameValues(at.data, want.at, `${backend} at`);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('runs 2×2 windows at stride 2 (the fast path) like any other: ties, NaN, and odd widths', () => {
    for (const [h, w] of [
      [4, 4],
      [6, 18],
      [5, 11],
      [24, 24],
    ] as const) {
      for (const kind of ['ints', 'special'] as const) {
        const x = randomTensor([8, 4, h, w], 'float32', h * w, kind);
        const want = directPool(x, 2, 2);
        resetKernelStats();
        const { out, at } = withBackend('wasm', () =>
          maxPool2d(place(x, 'kernel'), 2, 2, { out: zeros(want.shape, 'float32'), at: zeros(want.shape, 'float32') }),
        );
        expect(kernelStats().kernels.maxPool).toMatchObject({ wasm: 1, reference: 0 });
        expectSameValues(out.data, want.out, `${h}×${w} ${kind} out`);
        expectSameValues(at.data, want.at, `${h}×${w} ${kind} at`);
      }
    }
  });

  it('sends each gradient to its window’s maximum, adding up where windows overlap, on both backends', () => {
    fc.assert(
      fc.property(poolArb, dtypeArb, seedArb, (g, dtype, seed) => {
        const x = randomTensor([g.n, g.c, g.h, g.w], dtype, seed, 'ints');
        const { out, at } = maxPool2d(x, g.size, g.stride);
        const dout = randomTensor(out.shape, dtype, seed + 1);
        // Added in the dtype, in output order, as the kernels add.
        const expected = dtype === 'float32' ? new Float32Array(x.size) : new Float64Array(x.size);
        const [, , oh, ow] = out.shape as [number, number, number, number];
        for (let q = 0; q < g.n * g.c; q++)
          for (let oy = 0; oy < oh; oy++)
            for (let ox = 0; ox < ow; ox++) {
              const o = (q * oh + oy) * ow + ox;
              const pos = at.data[o]!;
              const ky = Math.floor(pos / g.size);
              const kx = pos % g.size;
              expected[q * g.h * g.w + (oy * g.stride + ky) * g.w + ox * g.stride + kx]! += dout.data[o]!;
            }
        for (const backend of ['wasm', 'js'] as const) {
          const stale = new Tensor(dtype === 'float32' ? new Float32Array(x.size).fill(9) : new Float64Array(x.size).fill(9), x.shape);
          const dx = withBackend(backend, () =>
            maxPool2dBackward(place(dout, 'kernel'), place(at, 'kernel'), x.shape, g.size, g.stride, place(stale, 'kernel')),
          );
          // The same additions in the same order: the same bits.
          expectSameValues(dx.data, expected, `${backend} dx`);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('refuse windows that do not fit and gradients of the wrong shape', () => {
    expectShapeError(() => maxPool2d(zeros([1, 1, 3, 3]), 4), 'a 4×4 window does not fit a 3×3 input');
    expectShapeError(() => maxPool2d(zeros([1, 3, 3]), 2), 'the input must be 4-D');
    const { at } = maxPool2d(zeros([1, 2, 4, 4]), 2);
    expectShapeError(() => maxPool2dBackward(zeros([1, 2, 3, 3]), at, [1, 2, 4, 4], 2), 'dout and at must have the pooled shape [1, 2, 2, 2]');
  });
});
