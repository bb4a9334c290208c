import { tensor, zeros } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { gatherLabels, gatherRows } from './gather.js';

describe('gatherRows', () => {
  const x = tensor(
    [
      [0, 1],
      [10, 11],
      [20, 21],
      [30, 31],
    ],
    'float32',
  );

  it('picks rows like NumPy’s x[batch_mask], repeats included', () => {
    const y = gatherRows(x, Int32Array.from([3, 0, 3]));
    expect(y.dtype).toBe('float32');
    expect(y.toArray()).toEqual([
      [30, 31],
      [0, 1],
      [30, 31],
    ]);
    expect(gatherRows(x, []).shape).toEqual([0, 2]);
  });

  it('keeps the trailing axes of x', () => {
    const images = tensor([[[1, 2]], [[3, 4]], [[5, 6]]]);
    expect(gatherRows(images, [2, 1]).toArray()).toEqual([[[5, 6]], [[3, 4]]]);
  });

  it('writes into out and returns it', () => {
    const out = zeros([2, 2], 'float32');
    expect(gatherRows(x, [1, 2], out)).toBe(out);
    expect(out.toArray()).toEqual([
      [10, 11],
      [20, 21],
    ]);
    expect(() => gatherRows(x, [1, 2, 3], out)).toThrow(/out must have shape \[3, 2\]/);
  });

  it('refuses indices that are not rows of x', () => {
    expect(() => gatherRows(x, [0, 4])).toThrow(/indices\[1\] is 4, not a row index in 0..3/);
    expect(() => gatherRows(x, [-1])).toThrow(RangeError);
    expect(() => gatherRows(x, [1.5])).toThrow(RangeError);
    expect(() => gatherRows(tensor(3), [0])).toThrow(/scalar/);
  });
});

describe('gatherLabels', () => {
  it('picks the labels of the same rows, into out when given', () => {
    const labels = Int32Array.from([7, 8, 9]);
    expect(Array.from(gatherLabels(labels, [2, 2, 0]))).toEqual([9, 9, 7]);
    const out = new Int32Array(2);
    expect(gatherLabels(labels, [1, 0], out)).toBe(out);
    expect(Array.from(out)).toEqual([8, 7]);
    expect(() => gatherLabels(labels, [0], out)).toThrow(/out holds 2 labels but 1 indices/);
    expect(() => gatherLabels(labels, [3])).toThrow(/indices\[0\] is 3/);
  });
});
