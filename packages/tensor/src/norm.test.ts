import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { zeros } from './creation.js';
import { kernelStats, resetKernelStats } from './kernel-stats.js';
import { batchNorm, batchNormBackward, dropoutMask, multiplyInto, scaleInto } from './norm.js';
import { Rng } from './rng.js';
import type { DType, Tensor } from './tensor.js';
import { dtypeArb, expectClose, expectSameValues, expectShapeError, place, randomTensor, seedArb, withBackend } from './test-support/index.js';

/** [N, C] features or [N, C, H, W] images: the two layouts the book's layer sees. */
const bnShapeArb = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 13 })).map(([n, c]) => [n, c]),
  fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 })).map((s) => [...s]),
);

const EPS = 10e-7;

/** The buffers batchNorm writes, for x's shape, all in WASM memory under 'wasm'. */
function buffers(shape: number[], dtype: DType, seed: number) {
  const c = shape[1]!;
  return withBackend('wasm', () => ({
    gamma: place(randomTensor([c], dtype, seed + 10, 'positive'), 'kernel'),
    beta: place(randomTensor([c], dtype, seed + 11), 'kernel'),
    runningMean: place(randomTensor([c], dtype, seed + 12), 'kernel'),
    runningVar: place(randomTensor([c], dtype, seed + 13, 'positive'), 'kernel'),
    stats: zeros([2, c]),
    xn: zeros(shape, dtype),
    out: zeros(shape, dtype),
  }));
}

/** The book's BatchNormalization.__forward and __backward (common/layers.py), step by step in float64, channel by channel. */
function bookBatchNorm(x: Tensor, gamma: Tensor, beta: Tensor, dout: Tensor) {
  const [n, c] = x.shape as [number, number];
  const p = x.size / (n * c);
  const m = n * p;
  const at = (i: number, ch: number, j: number) => (i * c + ch) * p + j;
  const y = new Float64Array(x.size);
  const dx = new Float64Array(x.size);
  const dgamma = new Float64Array(c);
  const dbeta = new Float64Array(c);
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) {
    let mu = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) mu += x.data[at(i, ch, j)]!;
    mu /= m;
    let v = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) v += (x.data[at(i, ch, j)]! - mu) ** 2;
    v /= m;
    mean[ch] = mu;
    variance[ch] = v;
    const std = Math.sqrt(v + EPS);
    // forward: xc = x − mu; xn = xc / std; out = gamma · xn + beta
    // backward: dbeta = Σ dout; dgamma = Σ xn · dout; dxn = gamma · dout; dxc = dxn / std;
    // dstd = −Σ (dxn · xc) / std²; dvar = 0.5 · dstd / std; dxc += (2 / m) · xc · dvar; dmu = Σ dxc; dx = dxc − dmu / m
    let dstd = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < p; j++) {
        const k = at(i, ch, j);
        const xc = x.data[k]! - mu;
        const xn = xc / std;
        y[k] = gamma.data[ch]! * xn + beta.data[ch]!;
        dbeta[ch]! += dout.data[k]!;
        dgamma[ch]! += xn * dout.data[k]!;
        dstd -= (gamma.data[ch]! * dout.data[k]! * xc) / (std * std);
      }
    const dvar = (0.5 * dstd) / std;
    let dmu = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < p; j++) {
        const k = at(i, ch, j);
        const xc = x.data[k]! - mu;
        dx[k] = (gamma.data[ch]! * dout.data[k]!) / std + (2 / m) * xc * dvar;
        dmu += dx[k]!;
      }
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) dx[at(i, ch, j)]! -= dmu / m;
  }
  return { y, dx, dgamma, dbeta, mean, variance };
}

describe('batchNorm and batchNormBackward', () => {
  it("are the book's BatchNormalization forward and backward in a training pass, per feature and per channel, on both backends", () => {
    fc.assert(
      fc.property(bnShapeArb, dtypeArb, seedArb, fc.constantFrom('wasm', 'js' as const), (shape, dtype, seed, backend) => {
        const x = place(randomTensor(shape, dtype, seed), 'kernel');
        const dout = place(randomTensor(shape, dtype, seed + 1), 'kernel');
        const b = buffers(shape, dtype, seed);
        const rm0 = Array.from(b.runningMean.data);
        const rv0 = Array.from(b.runningVar.data);
        const c = shape[1]!;
        const dgamma = withBackend('wasm', () => zeros([c], dtype));
        const dbeta = withBackend('wasm', () => zeros([c], dtype));
        const dx = withBackend('wasm', () => zeros(shape, dtype));
        withBackend(backend, () => {
          batchNorm(x, b.gamma, b.beta, { train: true, momentum: 0.9, eps: EPS, ...b });
          batchNormBackward(dout, b.xn, b.gamma, b.stats, { train: true, dgamma, dbeta, dx });
        });
        const book = bookBatchNorm(x, b.gamma, b.beta, dout);
        // x̂ is within a few float32 roundings of 1 or so; y and the gradients are sums of m terms.
        const m = x.size / c;
        const tol = dtype === 'float64' ? 1e-9 : 4e-6 * Math.sqrt(m);
        expectClose(b.out.data, book.y, (i) => tol * (1 + Math.abs(book.y[i]!)), `${backend} y`);
        expectClose(dbeta.data, book.dbeta, (i) => tol * (1 + Math.abs(book.dbeta[i]!)) * m, `${backend} dbeta`);
        expectClose(dgamma.data, book.dgamma, (i) => tol * (1 + Math.abs(book.dgamma[i]!)) * m, `${backend} dgamma`);
        expectClose(dx.data, book.dx, () => tol * 50 * (1 + Math.max(...book.dx.map(Math.abs))), `${backend} dx`);
        // The running statistics moved 10% of the way to the batch's.
        for (let ch = 0; ch < c; ch++) {
          expect(b.runningMean.data[ch]).toBeCloseTo(0.9 * rm0[ch]! + 0.1 * book.mean[ch]!, dtype === 'float64' ? 10 : 5);
          expect(b.runningVar.data[ch]).toBeCloseTo(0.9 * rv0[ch]! + 0.1 * book.variance[ch]!, dtype === 'float64' ? 10 : 4);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('normalise with the running statistics in an evaluation pass, leaving them as they were', () => {
    const x = randomTensor([3, 2, 2, 2], 'float64', 4);
    const b = buffers([3, 2, 2, 2], 'float64', 4);
    const before = [...b.runningMean.data, ...b.runningVar.data];
    batchNorm(x, b.gamma, b.beta, { train: false, momentum: 0.9, eps: EPS, ...b });
    expect([...b.runningMean.data, ...b.runningVar.data]).toEqual(before);
    for (let i = 0; i < x.size; i++) {
      const ch = Math.floor(i / 4) % 2;
      const xn = (x.data[i]! - b.runningMean.data[ch]!) / Math.sqrt(b.runningVar.data[ch]! + EPS);
      expect(b.out.data[i]).toBeCloseTo(b.gamma.data[ch]! * xn + b.beta.data[ch]!, 12);
    }
    // Evaluation backward: μ and σ are constants, so dx = dout · γ / σ.
    const dout = randomTensor(x.shape, 'float64', 5);
    const dx = zeros(x.shape);
    batchNormBackward(dout, b.xn, b.gamma, b.stats, { train: false, dgamma: zeros([2]), dbeta: zeros([2]), dx });
    for (let i = 0; i < x.size; i++) {
      const ch = Math.floor(i / 4) % 2;
      expect(dx.data[i]).toBeCloseTo((dout.data[i]! * b.gamma.data[ch]!) / Math.sqrt(b.runningVar.data[ch]! + EPS), 12);
    }
  });

  it('give the same values in WASM as the TypeScript reference, within float32 rounding, and run in WASM in place', () => {
    fc.assert(
      fc.property(bnShapeArb, seedArb, fc.boolean(), (shape, seed, train) => {
        const x = place(randomTensor(shape, 'float32', seed), 'kernel');
        const dout = place(randomTensor(shape, 'float32', seed + 1), 'kernel');
        const run = (backend: 'wasm' | 'js') => {
          const b = buffers(shape, 'float32', seed);
          const c = shape[1]!;
          const grads = withBackend('wasm', () => ({ dgamma: zeros([c], 'float32'), dbeta: zeros([c], 'float32'), dx: zeros(shape, 'float32') }));
          withBackend(backend, () => {
            batchNorm(x, b.gamma, b.beta, { train, momentum: 0.9, eps: EPS, ...b });
            batchNormBackward(dout, b.xn, b.gamma, b.stats, { train, ...grads });
          });
          return { ...b, ...grads };
        };
        const w = run('wasm');
        const j = run('js');
        const close = (a: Tensor, e: Tensor, what: string, scale = 1) =>
          expectClose(a.data, e.data, (i) => 2 ** -20 * scale * (1 + Math.abs(e.data[i]!)), what);
        close(w.out, j.out, 'y');
        close(w.xn, j.xn, 'xn');
        close(w.runningMean, j.runningMean, 'running mean');
        close(w.runningVar, j.runningVar, 'running var');
        close(w.dbeta, j.dbeta, 'dbeta', x.size);
        close(w.dgamma, j.dgamma, 'dgamma', x.size);
        close(w.dx, j.dx, 'dx', 64);
      }),
      { numRuns: 100 },
    );
    const shape = [16, 4, 6, 6];
    const b = buffers(shape, 'float32', 1);
    const x = place(randomTensor(shape, 'float32', 2), 'kernel');
    resetKernelStats();
    withBackend('wasm', () => {
      batchNorm(x, b.gamma, b.beta, { train: true, momentum: 0.9, eps: EPS, ...b });
      batchNormBackward(x, b.xn, b.gamma, b.stats, { train: true, dgamma: zeros([4], 'float32'), dbeta: zeros([4], 'float32'), dx: zeros(shape, 'float32') });
    });
    const k = kernelStats().kernels;
    for (const name of ['batchNormStats', 'batchNormApply', 'batchNormBackward'] as const)
      expect(k[name], name).toMatchObject({ wasm: 1, reference: 0, copies: { calls: 0 } });
  });

  it('refuse buffers of the wrong shape or dtype, naming them', () => {
    const b = buffers([2, 3], 'float64', 1);
    expectShapeError(() => batchNorm(zeros([2, 4]), b.gamma, b.beta, { train: true, momentum: 0.9, eps: EPS, ...b }), 'gamma must have shape [4]');
    expectShapeError(() => batchNorm(zeros([2, 3]), b.gamma, b.beta, { train: true, momentum: 0.9, eps: EPS, ...b, stats: zeros([3]) }), 'stats has shape [3]');
    expect(() => batchNorm(zeros([2, 3], 'float32'), b.gamma, b.beta, { train: true, momentum: 0.9, eps: EPS, ...b })).toThrow(
      /beta is float64 but must be float32/,
    );
  });
});

describe('dropoutMask', () => {
  it("draws rng.uniform() > ratio per element, the Rng's own numbers on either backend, and leaves the Rng where the draws end", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.double({ min: 0, max: 0.95, noNaN: true }), seedArb, dtypeArb, (len, ratio, seed, dtype) => {
        const x = place(randomTensor([len], dtype, seed, 'special'), 'kernel');
        const oracle = new Rng(seed);
        const keep = Array.from({ length: len }, () => (oracle.uniform() > ratio ? 1 : 0));
        const next = oracle.uniform();
        for (const backend of ['wasm', 'js'] as const) {
          const rng = new Rng(seed);
          const { mask, out } = withBackend('wasm', () => ({ mask: zeros([len], dtype), out: zeros([len], dtype) }));
          withBackend(backend, () => dropoutMask(x, ratio, rng, { mask, out }));
          expectSameValues(mask.data, keep, `${backend} mask`);
          expectSameValues(
            out.data,
            Array.from(x.data, (v, i) => v * keep[i]!),
            `${backend} out`,
          );
          expect(rng.uniform(), `${backend}: the draw after`).toBe(next);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('runs in WASM on placed float32 tensors', () => {
    const x = place(randomTensor([1000], 'float32', 1), 'kernel');
    const { mask, out } = withBackend('wasm', () => ({ mask: zeros([1000], 'float32'), out: zeros([1000], 'float32') }));
    resetKernelStats();
    withBackend('wasm', () => dropoutMask(x, 0.5, new Rng(3), { mask, out }));
    expect(kernelStats().kernels.dropout).toMatchObject({ wasm: 1, reference: 0 });
    expect(() => dropoutMask(x, 1, new Rng(3), { mask, out })).toThrow(/ratio must be a number >= 0 and < 1, got 1/);
  });
});

describe('multiplyInto and scaleInto', () => {
  it('multiply element by element, and scale in float64 rounded once, bit for bit on both backends', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), seedArb, dtypeArb, fc.double({ min: -4, max: 4, noNaN: true }), (len, seed, dtype, s) => {
        const a = place(randomTensor([len], dtype, seed, 'special'), 'kernel');
        const b = place(randomTensor([len], dtype, seed + 1), 'kernel');
        const round = dtype === 'float32' ? Math.fround : (v: number) => v;
        for (const backend of ['wasm', 'js'] as const) {
          const out = withBackend('wasm', () => zeros([len], dtype));
          withBackend(backend, () => multiplyInto(a, b, out));
          expectSameValues(
            out.data,
            Array.from(a.data, (v, i) => round(v * b.data[i]!)),
            `${backend} multiply`,
          );
          withBackend(backend, () => scaleInto(a, s, out));
          expectSameValues(
            out.data,
            Array.from(a.data, (v) => round(v * s)),
            `${backend} scale`,
          );
        }
      }),
      { numRuns: 100 },
    );
  });
});
