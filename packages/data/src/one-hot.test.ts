import { describe, expect, it } from 'vitest';
import { oneHot } from './one-hot.js';

describe('oneHot', () => {
  it('puts a 1 at each row’s class, as np.eye(classes)[labels]', () => {
    const t = oneHot(Int32Array.from([2, 0, 1, 2]), 3);
    expect(t.dtype).toBe('float32');
    expect(t.toArray()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
  });

  it('takes a dtype and an empty batch', () => {
    expect(oneHot([1], 2, 'float64').dtype).toBe('float64');
    expect(oneHot(new Int32Array(0), 10).shape).toEqual([0, 10]);
  });

  it('refuses labels outside 0..classes-1 and a bad class count', () => {
    expect(() => oneHot(Int32Array.from([0, 3]), 3)).toThrow(/labels\[1\] is 3, not a class index in 0..2/);
    expect(() => oneHot(Int32Array.from([-1]), 3)).toThrow(RangeError);
    expect(() => oneHot([0.5], 3)).toThrow(RangeError);
    expect(() => oneHot([0], 0)).toThrow(/classes must be a whole number >= 1/);
  });
});
