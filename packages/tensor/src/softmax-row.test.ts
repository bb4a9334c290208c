import { describe, expect, it } from 'vitest';
import { checkClassIndices, expRow, softmaxRow } from './softmax-row.js';

describe('softmaxRow', () => {
  it('gives exp(x − max) and its sum for one row, with the max, so that y = e / s', () => {
    // Row 1 of [[9, 9, 9], [1, 2, 3]]: max 3, e = [e⁻², e⁻¹, 1].
    const X = Float64Array.from([9, 9, 9, 1, 2, 3]);
    const e = expRow(3);
    const max = new Float64Array(1);
    const s = softmaxRow(X, 3, 3, e, max);
    expect(max[0]).toBe(3);
    expect(Array.from(e.subarray(0, 3))).toEqual([Math.exp(-2), Math.exp(-1), 1]);
    expect(s).toBe(Math.exp(-2) + Math.exp(-1) + 1);
    // The book's example (3.5.1): softmax([0.3, 2.9, 4.0]) = [0.01821127, 0.24519181, 0.73659691].
    const t = softmaxRow(Float64Array.from([0.3, 2.9, 4.0]), 0, 3, e, max);
    expect(Array.from(e.subarray(0, 3), (v) => v / t).map((v) => v.toFixed(8))).toEqual(['0.01821127', '0.24519181', '0.73659691']);
  });

  it('stays finite for scores that would overflow exp', () => {
    const e = expRow(2);
    const s = softmaxRow(Float64Array.from([1000, 1010]), 0, 2, e, new Float64Array(1));
    expect(e[1]! / s).toBeCloseTo(1 / (1 + Math.exp(-10)), 15);
  });
});

describe('checkClassIndices', () => {
  it('takes one whole number in 0..classes-1 per row', () => {
    expect(() => checkClassIndices('op', [0, 2, 1], 3, 3, [3, 3])).not.toThrow();
  });

  it('names the count, the row of a bad index, and the range', () => {
    expect(() => checkClassIndices('op', [0, 1], 3, 3, [3, 3], ' (hint)')).toThrow(
      'op: 2 class indices for 3 rows of scores [3, 3]: give one index per row (hint)',
    );
    expect(() => checkClassIndices('op', [0, 3, 1], 3, 3, [3, 3])).toThrow('op: label 3 at row 1 is outside 0..2');
    expect(() => checkClassIndices('op', [0.5], 1, 3, [3])).toThrow(RangeError);
    expect(() => checkClassIndices('op', [-1], 1, 3, [3])).toThrow(/label -1 at row 0/);
  });
});
