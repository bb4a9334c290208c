import { ShapeError, tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { meanSquaredError } from './mean-squared-error.js';

// The book's example (4.2.1): the answer is class 2.
const t = tensor([0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
const yRight = tensor([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0]);
const yWrong = tensor([0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0]);

describe('meanSquaredError', () => {
  it("matches the book's figures with one-hot labels (4.2.1)", () => {
    // NumPy's np.sum adds in another order, so the last bit may differ (0.5974999999999999 here).
    expect(meanSquaredError(yRight, t)).toBeCloseTo(0.09750000000000003, 15);
    expect(meanSquaredError(yWrong, t)).toBeCloseTo(0.5975, 15);
  });

  it('gives the same numbers for class-index labels', () => {
    expect(meanSquaredError(yRight, [2])).toBe(meanSquaredError(yRight, t));
    expect(meanSquaredError(yWrong, Int32Array.of(2))).toBe(meanSquaredError(yWrong, t));
  });

  it('sums over the batch instead of averaging, as the book does', () => {
    const y = tensor([Array.from(yRight.data), Array.from(yWrong.data)]);
    const oneHot = tensor([Array.from(t.data), Array.from(t.data)]);
    expect(meanSquaredError(y, oneHot)).toBeCloseTo(0.0975 + 0.5975, 15);
    expect(meanSquaredError(y, [2, 2])).toBeCloseTo(0.0975 + 0.5975, 15);
  });

  it('is ½ Σ (y − t)² for arbitrary targets', () => {
    expect(
      meanSquaredError(
        tensor([
          [1, 2],
          [3, 4],
        ]),
        tensor([
          [0, 0],
          [1, 1],
        ]),
      ),
    ).toBe(0.5 * (1 + 4 + 4 + 9));
  });

  it('accepts float32 inputs', () => {
    expect(meanSquaredError(yRight.astype('float32'), t.astype('float32'))).toBeCloseTo(0.0975, 7);
  });

  it('refuses labels that do not fit the scores', () => {
    expect(() => meanSquaredError(yRight, tensor([[0, 1]]))).toThrow(ShapeError);
    expect(() => meanSquaredError(yRight, [-1])).toThrow(RangeError);
  });
});
