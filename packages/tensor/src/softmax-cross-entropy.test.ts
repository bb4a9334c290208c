import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { softmaxCrossEntropy } from './softmax-cross-entropy.js';
import { type DType, Tensor } from './tensor.js';
import { type DataKind, expectClose, expectShapeError, mulberry32, place, type Placement, randomTensor, seedArb, withBackend } from './test-support/index.js';

/**
 * Float64 reference written from the definitions: y_k = e^{x_k} / Σ_i e^{x_i} (shifted by the row
 * mean, not the max, to stay independent of the kernel), L = −(1/N) Σ_r log y_{r,t_r},
 * dx = dout · (y − onehot(t)) / N.
 */
function reference(x: Tensor, labels: Int32Array, dout: number): { loss: number; y: Float64Array; dx: Float64Array } {
  const classes = x.shape[x.ndim - 1]!;
  const rows = x.size / classes;
  const y = new Float64Array(x.size);
  const dx = new Float64Array(x.size);
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let k = 0; k < classes; k++) mean += x.data[r * classes + k]! / classes;
    let s = 0;
    for (let k = 0; k < classes; k++) s += Math.exp(x.data[r * classes + k]! - mean);
    for (let k = 0; k < classes; k++) y[r * classes + k] = Math.exp(x.data[r * classes + k]! - mean) / s;
    loss -= Math.log(y[r * classes + labels[r]!]!);
    for (let k = 0; k < classes; k++) dx[r * classes + k] = (dout * (y[r * classes + k]! - (k === labels[r] ? 1 : 0))) / rows;
  }
  return { loss: loss / rows, y, dx };
}

function labelsFor(rows: number, classes: number, seed: number): Int32Array {
  const r = mulberry32(seed);
  return Int32Array.from({ length: rows }, () => Math.floor(r() * classes));
}

describe('softmaxCrossEntropy', () => {
  it('matches the definitions: loss, probs and dx = dout·(y − t)/N, on both backends and any placement', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 30, max: 130 })),
        fc.oneof(fc.constantFrom(1, 2, 3, 4, 5, 10), fc.integer({ min: 1, max: 40 })),
        fc.constantFrom<DType>('float32', 'float32', 'float64'),
        seedArb,
        fc.constantFrom<Placement>('kernel', 'heap'),
        fc.double({ min: 0.1, max: 3, noNaN: true }),
        (rows, classes, dtype, seed, where, dout) => {
          const x = place(randomTensor([rows, classes], dtype, seed, 'uniform'), where);
          const scaled = new Tensor(
            Float64Array.from(x.data, (v) => 8 * v),
            [rows, classes],
          ).astype(dtype);
          const labels = labelsFor(rows, classes, seed + 1);
          const ref = reference(scaled, labels, dout);
          // float32 rounds probs and dx once (2^-24 relative); float64 only accumulates rounding.
          const rel = dtype === 'float32' ? 2 ** -23 : 1e-13;
          for (const backend of ['wasm', 'js'] as const) {
            const probs = place(new Tensor(new (dtype === 'float32' ? Float32Array : Float64Array)(x.size), x.shape), where);
            const dx = place(new Tensor(new (dtype === 'float32' ? Float32Array : Float64Array)(x.size), x.shape), where);
            const loss = withBackend(backend, () => softmaxCrossEntropy(place(scaled, where), labels, { probs, dx, dout }));
            expect(Math.abs(loss - ref.loss)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(ref.loss)));
            expectClose(probs.data, ref.y, (i) => rel * ref.y[i]! + 1e-300, `${backend} probs`);
            expectClose(dx.data, ref.dx, (i) => rel * (Math.abs(ref.dx[i]!) + (dout * ref.y[i]!) / rows) + 1e-300, `${backend} dx`);
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it('gives the same numbers on both backends for extreme scores (±Infinity, NaN, huge)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 26, max: 60 }),
        fc.integer({ min: 2, max: 12 }),
        seedArb,
        fc.constantFrom<DataKind>('special', 'uniform'),
        (rows, classes, seed, kind) => {
          const x = randomTensor([rows, classes], 'float32', seed, kind);
          const labels = labelsFor(rows, classes, seed);
          const run = (backend: 'wasm' | 'js'): [number, Float32Array, Float32Array] => {
            const probs = new Tensor(new Float32Array(x.size), x.shape);
            const dx = new Tensor(new Float32Array(x.size), x.shape);
            const loss = withBackend(backend, () => softmaxCrossEntropy(x, labels, { probs, dx }));
            return [loss, probs.data as Float32Array, dx.data as Float32Array];
          };
          const [lw, pw, dw] = run('wasm');
          const [lj, pj, dj] = run('js');
          // A NaN or infinite loss must be the same on both; Infinity − Infinity is no distance.
          if (!Number.isFinite(lj)) expect(lw).toBe(lj);
          else expect(Math.abs(lw - lj)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(lj)));
          expectClose(pw, pj, (i) => 2 ** -23 * Math.abs(pj[i]!), 'probs');
          expectClose(dw, dj, (i) => 2 ** -23 * (Math.abs(dj[i]!) + 1 / rows), 'dx');
        },
      ),
      { numRuns: 40 },
    );
  });

  it('agrees on the case where both losses are infinite (found by fast-check in CI)', () => {
    const rows = 26;
    const classes = 2;
    const seed = 1919915092;
    const x = randomTensor([rows, classes], 'float32', seed, 'special');
    const labels = labelsFor(rows, classes, seed);
    const losses = (['wasm', 'js'] as const).map((backend) => withBackend(backend, () => softmaxCrossEntropy(x, labels)));
    expect(losses[1]).toBe(Infinity);
    expect(losses[0]).toBe(losses[1]);
  });

  it('computes the chapter-5 loss of a [100, 10] batch and may write dx over x', () => {
    const x = randomTensor([100, 10], 'float32', 11);
    const labels = labelsFor(100, 10, 12);
    const ref = reference(x, labels, 1);
    for (const backend of ['wasm', 'js'] as const) {
      const x2 = x.clone();
      const loss = withBackend(backend, () => softmaxCrossEntropy(x2, labels, { dx: x2 }));
      expect(Math.abs(loss - ref.loss)).toBeLessThan(1e-12);
      expectClose(x2.data, ref.dx, (i) => 2 ** -23 * (Math.abs(ref.dx[i]!) + 0.01));
    }
    // Without outputs it is only the loss; a 1-D x is one row.
    expect(softmaxCrossEntropy(new Tensor([0, 0], [2]), [1])).toBeCloseTo(Math.log(2), 15);
  });

  it('names what is wrong with the labels or the outputs', () => {
    const x = new Tensor(new Float32Array(6), [2, 3]);
    expectShapeError(() => softmaxCrossEntropy(x, [0]), 'softmaxCrossEntropy', '1 class indices for 2 rows');
    expect(() => softmaxCrossEntropy(x, [0, 3])).toThrow(/label 3 at row 1 is outside 0..2/);
    expect(() => softmaxCrossEntropy(x, [0, 0.5])).toThrow(/label 0.5 at row 1/);
    expectShapeError(() => softmaxCrossEntropy(x, [0, 1], { dx: new Tensor(new Float32Array(6), [3, 2]) }), 'softmaxCrossEntropy', 'dx has shape [3, 2]');
    expectShapeError(() => softmaxCrossEntropy(x, [0, 1], { probs: new Tensor(new Float32Array(3), [3]) }), 'softmaxCrossEntropy', 'probs has shape [3]');
    expectShapeError(() => softmaxCrossEntropy(new Tensor([1], []), [0]), 'softmaxCrossEntropy', 'scalar');
    expectShapeError(() => softmaxCrossEntropy(new Tensor([], [0, 3]), []), 'softmaxCrossEntropy', 'empty');
  });
});
