import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { full, ones, rand, randn, reuse, tensor, zeros, zerosLike } from './creation.js';
import { Rng } from './rng.js';
import type { NestedArray } from './tensor.js';
import { dtypeArb, expectSameValues, expectShapeError, randomTensor, seedArb, shapeArb } from './test-support/index.js';

describe('zeros, ones, full, zerosLike', () => {
  it('fill a fresh tensor of the shape, float64 by default', () => {
    fc.assert(
      fc.property(shapeArb(0, 4, 5), dtypeArb, fc.double({ noNaN: true }), (shape, dtype, value) => {
        const size = shape.reduce((p, d) => p * d, 1);
        const z = zeros(shape, dtype);
        expect(z.shape).toEqual(shape);
        expect(z.dtype).toBe(dtype);
        expectSameValues(z.data, new Array<number>(size).fill(0));
        expectSameValues(ones(shape, dtype).data, new Array<number>(size).fill(1));
        expectSameValues(full(shape, value, dtype).data, new Array<number>(size).fill(dtype === 'float32' ? Math.fround(value) : value));
        const like = zerosLike(full(shape, value, dtype));
        expect(like.shape).toEqual(shape);
        expect(like.dtype).toBe(dtype);
        expectSameValues(like.data, new Array<number>(size).fill(0));
      }),
      { numRuns: 60 },
    );
    expect(zeros([2]).dtype).toBe('float64');
    expect(ones([2]).dtype).toBe('float64');
    expect(full([2], 3).dtype).toBe('float64');
  });

  it('refuse invalid shapes naming the operation', () => {
    expectShapeError(() => zeros([2, -1]), 'zeros', '[2, -1]');
    expectShapeError(() => ones([1.5]), 'zeros', '[1.5]');
    expectShapeError(() => full([Number.NaN], 1), '[NaN]');
  });
});

describe('tensor', () => {
  it('reads nested arrays into a row-major tensor', () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float64');
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(tensor([[[1], [2]]]).shape).toEqual([1, 2, 1]);
    expect(tensor([0.1], 'float32').data[0]).toBe(Math.fround(0.1));
  });

  it('round-trips toArray for any shape and dtype', () => {
    fc.assert(
      fc.property(shapeArb(0, 4, 5), dtypeArb, seedArb, (shape, dtype, seed) => {
        const t = randomTensor(shape, dtype, seed, 'special');
        const back = tensor(t.toArray(), dtype);
        expect(back.shape).toEqual(t.shape);
        expect(back.dtype).toBe(dtype);
        expectSameValues(back.data, t.data);
      }),
      { numRuns: 80 },
    );
  });

  it('makes a scalar from a number and empty axes from empty arrays', () => {
    const s = tensor(5);
    expect(s.shape).toEqual([]);
    expect(s.get()).toBe(5);
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
  });

  it.each<{ input: NestedArray; where: string }>([
    { input: [[1, 2], [3]], where: '[1]' },
    { input: [[1, 2], 3], where: '[1]' },
    { input: [1, [2]], where: '[1]' },
    {
      input: [
        [[1], [2]],
        [[1], [2], [3]],
      ],
      where: '[1]',
    },
    {
      input: [
        [[1], [2]],
        [[1], [2, 3]],
      ],
      where: '[1, 1]',
    },
    { input: [[], [1]], where: '[1]' },
  ])('refuses the ragged input $input, naming where', ({ input, where }) => {
    expect(() => tensor(input)).toThrow(TypeError);
    expect(() => tensor(input)).toThrow(`at ${where}`);
  });

  it('refuses elements that are not numbers', () => {
    expect(() => tensor([1, 'x' as unknown as number])).toThrow(/expected a number at \[1\]/);
    expect(() => tensor([[1, null as unknown as number]])).toThrow(TypeError);
  });
});

describe('randn', () => {
  it('draws rng.normal(mean, std) in order, the same for the same seed', () => {
    const t = randn([3, 5], new Rng(6), { mean: 2, std: 0.5 });
    const rng = new Rng(6);
    expect(t.shape).toEqual([3, 5]);
    expect(t.dtype).toBe('float64');
    expectSameValues(
      t.data,
      Array.from({ length: 15 }, () => rng.normal(2, 0.5)),
    );
    expectSameValues(randn([3, 5], new Rng(6), { mean: 2, std: 0.5 }).data, t.data);
  });

  it('defaults to the standard normal, and rounds into float32 when asked', () => {
    const rng = new Rng(8);
    const t = randn([1000], new Rng(8), { dtype: 'float32' });
    expect(t.dtype).toBe('float32');
    expectSameValues(
      t.data,
      Array.from({ length: 1000 }, () => Math.fround(rng.normal())),
    );
  });

  it('has about the asked mean and std', () => {
    const t = randn([200, 100], new Rng(1), { mean: -3, std: 0.1 });
    const values = Array.from(t.data);
    const m = values.reduce((a, b) => a + b, 0) / t.size;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / t.size);
    expect(m).toBeCloseTo(-3, 2);
    expect(sd).toBeCloseTo(0.1, 2);
  });

  it('refuses invalid shapes', () => {
    expectShapeError(() => randn([-1], new Rng(0)), 'zeros');
  });
});

describe('rand', () => {
  it('draws low + (high - low) · uniform() in order', () => {
    const t = rand([4, 4], new Rng(3), { low: -2, high: 6 });
    const rng = new Rng(3);
    expectSameValues(
      t.data,
      Array.from({ length: 16 }, () => -2 + 8 * rng.uniform()),
    );
  });

  it('stays in [low, high), [0, 1) by default', () => {
    const u = rand([5000], new Rng(12));
    expect(u.dtype).toBe('float64');
    expect(u.data.every((x) => x >= 0 && x < 1)).toBe(true);
    const v = rand([5000], new Rng(12), { low: 10, high: 11, dtype: 'float32' });
    expect(v.dtype).toBe('float32');
    expect(v.data.every((x) => x >= 10 && x <= 11)).toBe(true);
  });
});

describe('reuse', () => {
  it('returns the same tensor while shape and dtype hold, and a new zero tensor when it needs more room or another dtype', () => {
    const a = reuse(undefined, [2, 3], 'float32');
    expect(a.shape).toEqual([2, 3]);
    expect(a.dtype).toBe('float32');
    a.data[0] = 7;
    expect(reuse(a, [2, 3], 'float32')).toBe(a);
    const b = reuse(a, [3, 3], 'float32');
    expect(b).not.toBe(a);
    expect(b.data.buffer === a.data.buffer && b.data.byteOffset === a.data.byteOffset).toBe(false);
    expect(Array.from(b.data)).toEqual(new Array(9).fill(0));
    expect(reuse(a, [2, 3], 'float64').dtype).toBe('float64');
  });

  it('gives a smaller or reshaped batch a view on the same data, and the full size back later, without new memory', () => {
    const full = reuse(undefined, [4, 3], 'float32');
    full.data.set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const reshaped = reuse(full, [3, 4], 'float32');
    expect(reshaped.data).toBe(full.data);
    const small = reuse(full, [1, 3], 'float32');
    expect(small.shape).toEqual([1, 3]);
    expect(small.data.buffer).toBe(full.data.buffer);
    expect(small.data.byteOffset).toBe(full.data.byteOffset);
    // The contents are what was written last (a reused buffer is never cleared).
    expect(Array.from(small.data)).toEqual([1, 2, 3]);
    // From the small view, the whole first array comes back: its capacity is remembered.
    const again = reuse(small, [4, 3], 'float32');
    expect(again.data).toBe(full.data);
    const mid = reuse(small, [2, 3], 'float32');
    expect(mid.data.byteOffset).toBe(full.data.byteOffset);
    expect(Array.from(mid.data)).toEqual([1, 2, 3, 4, 5, 6]);
    // Beyond the capacity: new memory.
    const bigger = reuse(small, [5, 3], 'float32');
    expect(bigger.data.buffer === full.data.buffer && bigger.data.byteOffset === full.data.byteOffset).toBe(false);
    expect(() => reuse(small, [-1, 3], 'float32')).toThrow(/reuse/);
  });
});
