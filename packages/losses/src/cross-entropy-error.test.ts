import { ShapeError, tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { crossEntropyError } from './cross-entropy-error.js';
import { softmax } from './softmax.js';
import { npLoss, npT, npX } from './test-support/numpy-fixture.js';

// The book's example (4.2.2): the answer is class 2; yRight puts 0.6 on it, yWrong puts 0.6 on class 7.
const t = tensor([0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
const yRight = tensor([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0]);
const yWrong = tensor([0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0]);

describe('crossEntropyError', () => {
  it("matches the book's figures with one-hot labels (4.2.2)", () => {
    expect(crossEntropyError(yRight, t)).toBeCloseTo(0.510825457099338, 15);
    expect(crossEntropyError(yWrong, t)).toBeCloseTo(2.302584092994546, 15);
  });

  it('gives the same numbers for class-index labels', () => {
    expect(crossEntropyError(yRight, [2])).toBe(crossEntropyError(yRight, t));
    expect(crossEntropyError(yWrong, Int32Array.of(2))).toBe(crossEntropyError(yWrong, t));
  });

  it('is the mean over the batch (4.2.4)', () => {
    const y = tensor([Array.from(yRight.data), Array.from(yWrong.data)]);
    const oneHot = tensor([Array.from(t.data), Array.from(t.data)]);
    const expected = (0.510825457099338 + 2.302584092994546) / 2;
    expect(crossEntropyError(y, oneHot)).toBeCloseTo(expected, 15);
    expect(crossEntropyError(y, [2, 2])).toBeCloseTo(expected, 15);
  });

  it('matches NumPy on softmax scores of a batch', () => {
    const y = softmax(tensor(npX));
    expect(crossEntropyError(y, npT)).toBeCloseTo(npLoss, 15);
    const oneHot = tensor(npT.map((k) => [0, 1, 2, 3].map((j) => (j === k ? 1 : 0))));
    expect(crossEntropyError(y, oneHot)).toBeCloseTo(npLoss, 15);
  });

  it('stays finite when the true class has probability zero (the 1e-7 guard)', () => {
    const y = tensor([1, 0, 0]);
    expect(crossEntropyError(y, [1])).toBeCloseTo(-Math.log(1e-7), 12);
    expect(crossEntropyError(y, tensor([0, 1, 0]))).toBeCloseTo(-Math.log(1e-7), 12);
  });

  it('stays finite on the softmax of huge scores', () => {
    const y = softmax(
      tensor([
        [1010, 1000, 990],
        [-5000, 5000, 0],
      ]),
    );
    const loss = crossEntropyError(y, [2, 0]);
    expect(Number.isFinite(loss)).toBe(true);
    expect(loss).toBeCloseTo(-(Math.log(2.061060046209062e-9 + 1e-7) + Math.log(1e-7)) / 2, 12);
  });

  it('accepts float32 probabilities', () => {
    expect(crossEntropyError(yRight.astype('float32'), [2])).toBeCloseTo(0.510825457099338, 6);
  });

  it('refuses labels that do not fit the scores', () => {
    expect(() => crossEntropyError(yRight, tensor([0, 1]))).toThrow(ShapeError);
    expect(() => crossEntropyError(yRight, [12])).toThrow('crossEntropyError: label 12 at row 0 is outside 0..9');
  });
});
