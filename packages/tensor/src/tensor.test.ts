import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatShape } from './shape.js';
import { allocate, dtypeOf, type NestedArray, Tensor } from './tensor.js';
import {
  dtypeArb,
  expectSameValues,
  expectShapeError,
  makeData,
  mulberry32,
  randomTensor,
  seedArb,
  shapeArb,
  stridesOf,
  unravel,
} from './test-support/index.js';

describe('Tensor constructor', () => {
  it('wraps a Float32Array without copying', () => {
    const data = new Float32Array([1, 2, 3, 4, 5, 6]);
    const t = new Tensor(data, [2, 3]);
    expect(t.data).toBe(data);
    expect(t.dtype).toBe('float32');
    expect(t.shape).toEqual([2, 3]);
    expect(t.size).toBe(6);
    expect(t.ndim).toBe(2);
  });

  it('wraps a Float64Array without copying', () => {
    const data = new Float64Array([1, 2, 3]);
    const t = new Tensor(data, [3, 1]);
    expect(t.data).toBe(data);
    expect(t.dtype).toBe('float64');
    expect(t.shape).toEqual([3, 1]);
  });

  it('turns a number[] into float64 unless float32 is asked for', () => {
    const t = new Tensor([0.1, 2, 3, 4], [2, 2]);
    expect(t.dtype).toBe('float64');
    expect(t.data).toBeInstanceOf(Float64Array);
    expect(Array.from(t.data)).toEqual([0.1, 2, 3, 4]);
    const f = new Tensor([0.1, 2], [2], 'float32');
    expect(f.dtype).toBe('float32');
    expect(f.data).toBeInstanceOf(Float32Array);
    expect(f.data[0]).toBe(Math.fround(0.1));
    expect(new Tensor([1, 2], [2], 'float64').dtype).toBe('float64');
  });

  it('defaults the shape to a vector of the data length', () => {
    expect(new Tensor([1, 2, 3]).shape).toEqual([3]);
    expect(new Tensor(new Float32Array(0)).shape).toEqual([0]);
  });

  it('takes a scalar shape [] for one element, and empty axes for none', () => {
    const s = new Tensor([7], []);
    expect(s.ndim).toBe(0);
    expect(s.size).toBe(1);
    expect(new Tensor([], [3, 0]).size).toBe(0);
  });

  it('copies the shape and freezes it', () => {
    const shape = [2, 3];
    const t = new Tensor(new Float64Array(6), shape);
    shape[0] = 3;
    expect(t.shape).toEqual([2, 3]);
    expect(Object.isFrozen(t.shape)).toBe(true);
  });

  it('refuses a shape that does not hold the data, naming both sizes and the shape', () => {
    const e = expectShapeError(() => new Tensor(new Float64Array(5), [2, 3]), 'Tensor', '[2, 3]', '6', '5');
    expect(e.op).toBe('Tensor');
    expectShapeError(() => new Tensor([1, 2, 3], []), 'Tensor', '[]');
  });

  it.each([{ shape: [2, -3] }, { shape: [1.5, 2] }, { shape: [Number.NaN] }])('refuses the invalid shape $shape', ({ shape }) => {
    expectShapeError(() => new Tensor(new Float64Array(6), shape), 'Tensor', 'whole number');
  });

  it('refuses a typed array whose dtype contradicts the one asked for', () => {
    expect(() => new Tensor(new Float32Array(2), [2], 'float64')).toThrow(TypeError);
    expect(() => new Tensor(new Float64Array(2), [2], 'float32')).toThrow(/astype/);
  });

  it('refuses data that is neither a float typed array nor a number array', () => {
    expect(() => new Tensor(new Int32Array(2) as unknown as Float64Array, [2])).toThrow(TypeError);
    expect(() => new Tensor('12' as unknown as number[], [2])).toThrow(/Float32Array/);
  });
});

describe('dtypeOf and allocate', () => {
  it('map typed arrays to dtypes and back', () => {
    expect(dtypeOf(new Float32Array(1))).toBe('float32');
    expect(dtypeOf(new Float64Array(1))).toBe('float64');
    expect(allocate('float32', 3)).toBeInstanceOf(Float32Array);
    expect(allocate('float64', 3)).toBeInstanceOf(Float64Array);
    expect(allocate('float64', 3)).toHaveLength(3);
  });
});

describe('get and set', () => {
  it('address elements in row-major order', () => {
    fc.assert(
      fc.property(shapeArb(1, 4, 5), dtypeArb, seedArb, (shape, dtype, seed) => {
        const t = randomTensor(shape, dtype, seed);
        const strides = stridesOf(shape);
        for (let k = 0; k < t.size; k++) {
          const idx = unravel(k, shape);
          expect(idx.reduce((off, i, ax) => off + i * strides[ax]!, 0)).toBe(k);
          expect(t.get(...idx)).toBe(t.data[k]);
          t.set(k + 0.5, ...idx);
          expect(t.data[k]).toBe(k + 0.5);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('reads a scalar tensor with no index', () => {
    const t = new Tensor([4], []);
    expect(t.get()).toBe(4);
    t.set(9);
    expect(t.get()).toBe(9);
  });

  it('rounds values set into float32', () => {
    const t = new Tensor(new Float32Array(1), [1]);
    t.set(0.1, 0);
    expect(t.get(0)).toBe(Math.fround(0.1));
  });

  it('refuses out-of-range and non-integer indices, naming index and shape', () => {
    const t = new Tensor(new Float64Array(6), [2, 3]);
    for (const idx of [
      [2, 0],
      [0, 3],
      [-1, 0],
      [0, 1.5],
      [0, Number.NaN],
    ]) {
      expect(() => t.get(...idx)).toThrow(RangeError);
      expect(() => t.set(1, ...idx)).toThrow(RangeError);
    }
    expect(() => t.get(2, 0)).toThrow('get: index [2, 0] is out of range for shape [2, 3]');
    expect(() => t.set(1, 0, 3)).toThrow('set: index [0, 3] is out of range for shape [2, 3]');
  });

  it('refuses an index with the wrong number of axes', () => {
    const t = new Tensor(new Float64Array(6), [2, 3]);
    expectShapeError(() => t.get(1), 'get', '[1]', '[2, 3]');
    expectShapeError(() => t.set(0, 1, 1, 1), 'set', '[1, 1, 1]', '[2, 3]');
  });
});

describe('reshape', () => {
  /** Random factorizations of `size`, with one axis maybe replaced by -1. */
  const reshapeCase = fc
    .record({ shape: shapeArb(1, 4, 6), seed: seedArb, nd: fc.integer({ min: 1, max: 4 }), infer: fc.boolean() })
    .map(({ shape, seed, nd, infer }) => {
      // Deal the prime factors of the size out to nd axes at random.
      const r = mulberry32(seed);
      const target = new Array<number>(nd).fill(1);
      let rest = shape.reduce((p, d) => p * d, 1);
      for (let f = 2; rest > 1; ) {
        if (rest % f === 0) {
          target[Math.floor(r() * nd)]! *= f;
          rest /= f;
        } else f++;
      }
      const request: number[] = [...target];
      if (infer) request[Math.floor(r() * nd)] = -1;
      return { shape, seed, target, request };
    });

  it('gives a view with the new shape; -1 is inferred', () => {
    fc.assert(
      fc.property(reshapeCase, dtypeArb, ({ shape, seed, target, request }, dtype) => {
        const t = randomTensor(shape, dtype, seed);
        const r = t.reshape(request);
        expect(r.shape).toEqual(target);
        expect(r.data).toBe(t.data);
        expect(r.dtype).toBe(dtype);
        expect(t.shape).toEqual(shape);
      }),
      { numRuns: 150 },
    );
  });

  it('infers -1 in any position, including for a scalar and for empty tensors', () => {
    const t = new Tensor(new Float64Array(12), [3, 4]);
    expect(t.reshape([-1]).shape).toEqual([12]);
    expect(t.reshape([2, -1]).shape).toEqual([2, 6]);
    expect(t.reshape([-1, 3]).shape).toEqual([4, 3]);
    expect(t.reshape([2, -1, 2]).shape).toEqual([2, 3, 2]);
    expect(t.reshape([1, -1, 1]).shape).toEqual([1, 12, 1]);
    expect(new Tensor([5], []).reshape([-1]).shape).toEqual([1]);
    expect(new Tensor([5], [1]).reshape([]).shape).toEqual([]);
    expect(new Tensor([], [0, 3]).reshape([-1]).shape).toEqual([0]);
    expect(new Tensor([], [0, 3]).reshape([3, -1]).shape).toEqual([3, 0]);
  });

  it('writes through the view', () => {
    const t = new Tensor(new Float64Array(6), [2, 3]);
    t.reshape([3, 2]).set(5, 2, 1);
    expect(t.get(1, 2)).toBe(5);
  });

  it('refuses impossible shapes naming reshape and both shapes', () => {
    const t = new Tensor(new Float64Array(12), [3, 4]);
    expectShapeError(() => t.reshape([5, 2]), 'reshape', '[3, 4]', '[5, 2]', '12');
    expectShapeError(() => t.reshape([-1, 5]), 'reshape', '[3, 4]', '[-1, 5]');
    expectShapeError(() => t.reshape([-1, -1]), 'reshape', 'only one axis');
    expectShapeError(() => t.reshape([0, -1]), 'reshape', '[0, -1]');
    expectShapeError(() => t.reshape([2.5, 4]), 'reshape');
    expectShapeError(() => t.reshape([-2, -6]), 'reshape');
  });
});

describe('clone and astype', () => {
  it('clone copies deeply, keeping dtype and shape', () => {
    fc.assert(
      fc.property(shapeArb(0, 3, 5), dtypeArb, seedArb, (shape, dtype, seed) => {
        const t = randomTensor(shape, dtype, seed, 'special');
        const c = t.clone();
        expect(c).not.toBe(t);
        expect(c.data).not.toBe(t.data);
        expect(c.dtype).toBe(dtype);
        expect(c.shape).toEqual(t.shape);
        expectSameValues(c.data, t.data);
        if (c.size > 0) {
          c.data[0] = 12345;
          expect(t.data[0]).not.toBe(12345);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('clone(dtype) and astype convert, rounding to float32 and widening exactly', () => {
    const values = makeData(40, 7, 'special');
    const t64 = new Tensor(values, [5, 8]);
    const t32 = t64.astype('float32');
    expect(t32.dtype).toBe('float32');
    expect(t32.shape).toEqual([5, 8]);
    expectSameValues(t32.data, Array.from(values, Math.fround));
    const back = t32.clone('float64');
    expect(back.dtype).toBe('float64');
    expectSameValues(back.data, t32.data);
    expect(t64.astype('float64')).toBe(t64);
    expect(t32.astype('float32')).toBe(t32);
  });
});

describe('toArray', () => {
  /** Nested arrays built from the multi-index formula, not from the tensor's own strides. */
  function nested(shape: readonly number[], data: ArrayLike<number>): NestedArray {
    const strides = stridesOf(shape);
    const build = (axis: number, idx: number[]): NestedArray => {
      if (axis === shape.length) return data[idx.reduce((o, i, ax) => o + i * strides[ax]!, 0)]!;
      return Array.from({ length: shape[axis]! }, (_, i) => build(axis + 1, [...idx, i]));
    };
    return build(0, []);
  }

  it('nests the values axis by axis', () => {
    fc.assert(
      fc.property(shapeArb(0, 4, 4), dtypeArb, seedArb, (shape, dtype, seed) => {
        const t = randomTensor(shape, dtype, seed);
        expect(t.toArray()).toEqual(nested(shape, t.data));
      }),
      { numRuns: 60 },
    );
  });

  it('gives a number for a scalar and empty arrays for empty axes', () => {
    expect(new Tensor([3], []).toArray()).toBe(3);
    expect(new Tensor([1, 2, 3, 4, 5, 6], [2, 3]).toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(new Tensor([], [2, 0]).toArray()).toEqual([[], []]);
    expect(new Tensor([], [0, 2]).toArray()).toEqual([]);
  });
});

describe('toString', () => {
  it('names dtype and shape', () => {
    expect(String(new Tensor(new Float32Array(6), [2, 3]))).toBe(`Tensor(float32, ${formatShape([2, 3])})`);
  });
});
