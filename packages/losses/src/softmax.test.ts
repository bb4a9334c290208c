import { add, Rng, randn, ShapeError, sum, Tensor, tensor, zeros } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { softmax } from './softmax.js';
import { expectAllClose } from './test-support/close.js';
import { npX, npY } from './test-support/numpy-fixture.js';

describe('softmax', () => {
  it("matches the book's figure for [0.3, 2.9, 4.0] (3.5.1)", () => {
    const y = softmax(tensor([0.3, 2.9, 4.0]));
    expect(y.shape).toEqual([3]);
    expectAllClose(y.data, [0.01821127, 0.24519181, 0.73659691], 5e-9);
    expect(sum(y)).toBeCloseTo(1, 15);
  });

  it('matches NumPy on a batch, row by row', () => {
    const y = softmax(tensor(npX));
    expect(y.shape).toEqual([3, 4]);
    expectAllClose(y.data, npY.flat(), 1e-16);
  });

  it('computes every row of a batch independently, as the 1-D form does', () => {
    const x = randn([5, 7], new Rng(1));
    const y = softmax(x);
    for (let r = 0; r < 5; r++) {
      const row = softmax(new Tensor(x.data.slice(r * 7, r * 7 + 7)));
      expect(Array.from(y.data.slice(r * 7, r * 7 + 7))).toEqual(Array.from(row.data));
    }
    const rowSums = sum(y, 1);
    expectAllClose(rowSums.data, [1, 1, 1, 1, 1], 1e-15);
  });

  it('does not change when a constant is added to a row (3.5.2)', () => {
    const x = randn([3, 6], new Rng(2));
    // x + 123.25 rounds x to the coarser spacing of numbers near 123 (about 1e-14).
    expectAllClose(softmax(add(x, 123.25)).data, softmax(x).data, 1e-13);
  });

  it('does not overflow on huge scores (3.5.2)', () => {
    // The naive exp(1010) / Σ exp overflows to Infinity / Infinity = NaN.
    expect(Math.exp(1010)).toBe(Number.POSITIVE_INFINITY);
    const y = softmax(tensor([1010, 1000, 990]));
    // NumPy: e = np.exp(a - a.max()); e / e.sum() for a = [1010., 1000., 990.]
    expectAllClose(y.data, [0.999954600070331, 4.539786860886666e-5, 2.061060046209062e-9], 1e-16);
  });

  it('stays finite for extreme scores in both dtypes', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const x = tensor(
        [
          [1e30, -1e30, 0],
          [-1e4, -1e4 - 1, -1e4 - 2],
          [3e38, 3e38, -3e38],
        ],
        dtype,
      );
      const y = softmax(x);
      expect(Array.from(y.data).every(Number.isFinite)).toBe(true);
      expect(y.get(0, 0)).toBe(1);
      expect(y.get(0, 1)).toBe(0);
      expect(y.get(2, 0)).toBeCloseTo(0.5, 6);
      expectAllClose(sum(y, 1).data, [1, 1, 1], 1e-6);
    }
  });

  it('returns the dtype it was given', () => {
    const x32 = randn([2, 4], new Rng(3), { dtype: 'float32' });
    const y32 = softmax(x32);
    expect(y32.dtype).toBe('float32');
    expect(y32.data).toBeInstanceOf(Float32Array);
    expectAllClose(y32.data, softmax(x32.astype('float64')).data, 1e-7);
    expect(softmax(x32.astype('float64')).dtype).toBe('float64');
  });

  it('writes into out, which may be x itself', () => {
    const x = tensor(npX);
    const out = zeros([3, 4]);
    expect(softmax(x, out)).toBe(out);
    expectAllClose(out.data, npY.flat(), 1e-16);
    const inPlace = tensor(npX);
    expect(softmax(inPlace, inPlace)).toBe(inPlace);
    expectAllClose(inPlace.data, npY.flat(), 1e-16);
  });

  it('refuses an out of the wrong shape and a scalar input', () => {
    expect(() => softmax(zeros([2, 3]), zeros([3, 2]))).toThrow(ShapeError);
    expect(() => softmax(new Tensor([1], []))).toThrow(ShapeError);
  });

  it('works along the last axis of a 3-D tensor', () => {
    const x = randn([2, 3, 4], new Rng(4));
    const y = softmax(x);
    expect(y.shape).toEqual([2, 3, 4]);
    expectAllClose(y.data, softmax(x.reshape([6, 4])).data, 0);
  });
});
