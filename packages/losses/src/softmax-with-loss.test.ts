import { numericalGradient } from '@dlfs/gradcheck';
import { Rng, randn, ShapeError, sum, type Tensor, tensor, zeros } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { crossEntropyError } from './cross-entropy-error.js';
import type { Labels } from './labels.js';
import type { LossLayer } from './loss-layer.js';
import { softmax } from './softmax.js';
import { SoftmaxWithLoss } from './softmax-with-loss.js';
import { expectAllClose, relativeError } from './test-support/close.js';
import { npDx, npLogLoss, npLoss, npT, npX, npY } from './test-support/numpy-fixture.js';

function oneHot(indices: readonly number[], classes: number): Tensor {
  const t = zeros([indices.length, classes]);
  indices.forEach((k, i) => t.set(1, i, k));
  return t;
}

/** The gradient check: backward(dout) against dout times the central difference of forward. */
function gradientError(x: Tensor, t: Labels, dout = 1): number {
  const layer = new SoftmaxWithLoss();
  const numerical = numericalGradient((v) => layer.forward(v, t), x, { h: 1e-4 });
  layer.forward(x, t);
  const analytic = layer.backward(dout);
  return relativeError(
    analytic.data,
    numerical.data.map((g) => g * dout),
  );
}

describe('SoftmaxWithLoss', () => {
  it('is a LossLayer', () => {
    const layer: LossLayer = new SoftmaxWithLoss();
    expect(typeof layer.forward).toBe('function');
  });

  it('forward is the cross-entropy of the softmax in log space, matching NumPy, and keeps y', () => {
    const layer = new SoftmaxWithLoss();
    expect(layer.y).toBeUndefined();
    const x = tensor(npX);
    expect(layer.forward(x, npT)).toBeCloseTo(npLogLoss, 15);
    expect(layer.y?.shape).toEqual([3, 4]);
    expectAllClose(layer.y!.data, npY.flat(), 1e-16);
    expect(layer.forward(x, oneHot(npT, 4))).toBeCloseTo(npLogLoss, 15);
  });

  it("differs from the book's guarded cross-entropy by about 1e-7 / y_t per row", () => {
    const layer = new SoftmaxWithLoss();
    const x = tensor(npX);
    const loss = layer.forward(x, npT);
    const guarded = crossEntropyError(softmax(x), npT);
    expect(guarded).toBeCloseTo(npLoss, 15);
    const expectedGap = npT.reduce((acc, k, i) => acc + 1e-7 / npY[i]![k]!, 0) / npT.length;
    expect(loss - guarded).toBeGreaterThan(0);
    expect(Math.abs(loss - guarded - expectedGap)).toBeLessThan(1e-12);
  });

  it('backward is (y − t) / N, matching NumPy for both label forms (5.6.3)', () => {
    const layer = new SoftmaxWithLoss();
    layer.forward(tensor(npX), npT);
    expectAllClose(layer.backward().data, npDx.flat(), 1e-16);
    layer.forward(tensor(npX), oneHot(npT, 4));
    expectAllClose(layer.backward().data, npDx.flat(), 1e-16);
  });

  it('backward scales by dout', () => {
    const layer = new SoftmaxWithLoss();
    layer.forward(tensor(npX), npT);
    expectAllClose(
      layer.backward(2.5).data,
      npDx.flat().map((g) => 2.5 * g),
      1e-15,
    );
  });

  describe('backward equals the numerical gradient of forward (h = 1e-4, float64)', () => {
    const rng = new Rng(20240605);
    const x = randn([6, 5], rng, { std: 2 });
    const indices = Array.from(rng.choice(5, 6));

    it('with class-index labels', () => {
      expect(gradientError(x, indices)).toBeLessThan(1e-7);
      expect(gradientError(x, Int32Array.from(indices), 0.5)).toBeLessThan(1e-7);
    });

    it('with one-hot labels', () => {
      expect(gradientError(x, oneHot(indices, 5))).toBeLessThan(1e-7);
      expect(gradientError(x, oneHot(indices, 5), 3)).toBeLessThan(1e-7);
    });

    it('with soft (non one-hot) target distributions', () => {
      const t = softmax(randn([6, 5], rng));
      expect(gradientError(x, t)).toBeLessThan(1e-7);
    });

    it('for a single 1-D sample', () => {
      const x1 = randn([7], rng);
      expect(gradientError(x1, [3])).toBeLessThan(1e-7);
    });
  });

  it('treats a 1-D x as one sample: dx = y − t', () => {
    const layer = new SoftmaxWithLoss();
    const x = tensor([0.3, 2.9, 4.0]);
    layer.forward(x, [0]);
    const dx = layer.backward();
    expect(dx.shape).toEqual([3]);
    const y = softmax(x);
    expectAllClose(dx.data, [y.data[0]! - 1, y.data[1]!, y.data[2]!], 1e-16);
    expect(sum(dx)).toBeCloseTo(0, 15);
  });

  it('stays finite for huge scores', () => {
    const layer = new SoftmaxWithLoss();
    const x = tensor([
      [1010, 1000, 990],
      [-1e6, 1e6, 0],
    ]);
    const loss = layer.forward(x, [2, 0]);
    // −log y_2 = 20 + log(1 + e^−10 + e^−20) for row 0; −log y_0 = 2e6 for row 1, where y_0 underflows to 0.
    expect(loss).toBeCloseTo((20 + Math.log1p(Math.exp(-10) + Math.exp(-20)) + 2e6) / 2, 9);
    const dx = layer.backward();
    expect(Array.from(dx.data).every(Number.isFinite)).toBe(true);
    expectAllClose(dx.data, [0.999954600070331 / 2, 4.539786860886666e-5 / 2, (2.061060046209062e-9 - 1) / 2, -0.5, 0.5, 0], 1e-16);
  });

  it('keeps float32 in float32', () => {
    const layer = new SoftmaxWithLoss();
    const x = randn([4, 3], new Rng(5), { dtype: 'float32' });
    layer.forward(x, [0, 1, 2, 0]);
    expect(layer.y?.dtype).toBe('float32');
    const dx = layer.backward();
    expect(dx.dtype).toBe('float32');
    const layer64 = new SoftmaxWithLoss();
    layer64.forward(x.astype('float64'), [0, 1, 2, 0]);
    expectAllClose(dx.data, layer64.backward().data, 1e-7);
  });

  it('does not change y when backward runs, so backward can run twice', () => {
    const layer = new SoftmaxWithLoss();
    layer.forward(tensor(npX), npT);
    const first = Array.from(layer.backward().data);
    expect(Array.from(layer.backward().data)).toEqual(first);
    expectAllClose(layer.y!.data, npY.flat(), 1e-16);
  });

  it('refuses backward before forward', () => {
    expect(() => new SoftmaxWithLoss().backward()).toThrow('SoftmaxWithLoss.backward: call forward(x, t) first');
  });

  it('refuses labels that do not fit, naming the layer', () => {
    const layer = new SoftmaxWithLoss();
    expect(() => layer.forward(zeros([2, 10]), zeros([2, 9]))).toThrow(ShapeError);
    expect(() => layer.forward(zeros([4, 10]), [0, 1, 2, 12])).toThrow('SoftmaxWithLoss.forward: label 12 at row 3 is outside 0..9');
  });
});
