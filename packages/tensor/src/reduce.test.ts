import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sub } from './elementwise.js';
import { argmax, max, mean, min, sum } from './reduce.js';
import { type DType, Tensor } from './tensor.js';
import {
  type DataKind,
  dtypeArb,
  expectClose,
  expectSameValues,
  expectShapeError,
  randomTensor,
  roundTo,
  seedArb,
  shapeArb,
  stridesOf,
  unravel,
} from './test-support/index.js';

type Kind = 'sum' | 'mean' | 'max' | 'min' | 'argmax';

/** Naive float64 reduction along `axis`: for every other-axes index, walk the axis from 0. */
function reference(kind: Kind, t: Tensor, axis: number): { values: number[]; absSum: number[]; len: number } {
  const shape = t.shape;
  const strides = stridesOf(shape);
  const len = shape[axis]!;
  const rest = shape.filter((_, i) => i !== axis);
  const size = rest.reduce((p, d) => p * d, 1);
  const values: number[] = [];
  const absSum: number[] = [];
  for (let k = 0; k < size; k++) {
    const r = unravel(k, rest);
    const full = [...r.slice(0, axis), 0, ...r.slice(axis)];
    const at = (i: number): number => t.data[full.reduce((o, x, ax) => o + (ax === axis ? i : x) * strides[ax]!, 0)]!;
    let s = 0;
    let abs = 0;
    let best = -Infinity;
    let bestAt = -1;
    let least = Infinity;
    let nan = false;
    for (let i = 0; i < len; i++) {
      const v = at(i);
      s += v;
      abs += Math.abs(v);
      if (Number.isNaN(v)) nan = true;
      if (bestAt === -1 || v > best) {
        best = v;
        bestAt = i;
      }
      if (v < least) least = v;
    }
    absSum.push(abs);
    switch (kind) {
      case 'sum':
        values.push(s);
        break;
      case 'mean':
        values.push(s / len);
        break;
      case 'max':
        values.push(nan ? Number.NaN : best);
        break;
      case 'min':
        values.push(nan ? Number.NaN : least);
        break;
      case 'argmax':
        values.push(bestAt);
        break;
    }
  }
  return { values, absSum, len };
}

const REDUCERS = { sum, mean, max, min };

/** Sums in float64 may be added in another order: allow 1e-12 of the sum of magnitudes; float32 adds one rounding. */
function tolerance(kind: Kind, dtype: DType, absSum: number, len: number, value: number): number {
  if (kind === 'max' || kind === 'min') return 0;
  const scale = kind === 'mean' ? absSum / len : absSum;
  return 1e-12 * scale + (dtype === 'float32' ? Math.abs(value) * 2 ** -23 : 0);
}

const reduceCase = fc.record({
  shape: shapeArb(1, 4, 7),
  dtype: dtypeArb,
  seed: seedArb,
  kind: fc.constantFrom<DataKind>('uniform', 'ints', 'sparse'),
  keepDims: fc.boolean(),
});

describe.each(['sum', 'mean', 'max', 'min'] as const)('%s along an axis', (op) => {
  it('matches the naive reference on every axis (positive and negative), with and without keepDims', () => {
    fc.assert(
      fc.property(reduceCase, ({ shape, dtype, seed, kind, keepDims }) => {
        const t = randomTensor(shape, dtype, seed, kind);
        const before = Array.from(t.data);
        for (let axis = 0; axis < shape.length; axis++) {
          const ref = reference(op, t, axis);
          const expectedShape = keepDims ? shape.map((d, i) => (i === axis ? 1 : d)) : shape.filter((_, i) => i !== axis);
          for (const ax of [axis, axis - shape.length]) {
            const r = REDUCERS[op](t, ax, { keepDims });
            expect(r.shape).toEqual(expectedShape);
            expect(r.dtype).toBe(dtype);
            const expected = ref.values.map((x) => roundTo(dtype, x));
            expectClose(r.data, expected, (i) => tolerance(op, dtype, ref.absSum[i]!, ref.len, expected[i]!), `${op} axis ${ax}`);
          }
          // Into out (float64, so no rounding on the way out).
          const out = new Tensor(new Float64Array(ref.values.length).fill(Number.NaN), expectedShape);
          expect(REDUCERS[op](t, axis, { keepDims, out })).toBe(out);
          expectClose(out.data, ref.values, (i) => tolerance(op, 'float64', ref.absSum[i]!, ref.len, 0), `${op} into out`);
        }
        expectSameValues(t.data, before, 'input unchanged');
      }),
      { numRuns: 60 },
    );
  });
});

describe('sum, mean, max, min over everything', () => {
  it('match the naive reference', () => {
    fc.assert(
      fc.property(reduceCase, ({ shape, dtype, seed, kind }) => {
        const t = randomTensor(shape, dtype, seed, kind);
        const flat = new Tensor(Float64Array.from(t.data), [t.size]);
        const s = reference('sum', flat, 0);
        // Over everything the accumulator is a float64 number for either dtype.
        expect(Math.abs(sum(t) - s.values[0]!)).toBeLessThanOrEqual(1e-12 * s.absSum[0]!);
        expect(Math.abs(mean(t) - s.values[0]! / t.size)).toBeLessThanOrEqual((1e-12 * s.absSum[0]!) / t.size);
        expect(max(t)).toBe(reference('max', flat, 0).values[0]);
        expect(min(t)).toBe(reference('min', flat, 0).values[0]);
        expect(typeof sum(t)).toBe('number');
      }),
      { numRuns: 150 },
    );
  });

  it('handle a scalar tensor and empty tensors', () => {
    const s = new Tensor([4], []);
    expect([sum(s), mean(s), max(s), min(s), argmax(s)]).toEqual([4, 4, 4, 4, 0]);
    const e = new Tensor([], [2, 0]);
    expect(sum(e)).toBe(0);
    expectShapeError(() => mean(e), 'mean', '[2, 0]', 'empty');
    expectShapeError(() => max(e), 'max', '[2, 0]');
    expectShapeError(() => min(e), 'min', '[2, 0]');
    expectShapeError(() => argmax(e), 'argmax', '[2, 0]');
    // Reducing a non-empty axis of an empty tensor gives an empty result; reducing an empty axis is refused.
    expect(sum(e, 0).shape).toEqual([0]);
    expectShapeError(() => sum(e, 1), 'sum', 'empty', '[2, 0]');
    expectShapeError(() => max(e, 1, { keepDims: true }), 'max', 'empty');
  });
});

describe('max and min with NaN', () => {
  it('propagate NaN wherever it is, over everything and along an axis', () => {
    for (let pos = 0; pos < 6; pos++) {
      const values = [3, -1, 7, 2, 0, 5];
      values[pos] = Number.NaN;
      const t = new Tensor(values, [2, 3]);
      expect(max(t)).toBeNaN();
      expect(min(t)).toBeNaN();
      const row = Math.floor(pos / 3);
      const col = pos % 3;
      expect(max(t, 1).data[row]).toBeNaN();
      expect(min(t, 1).data[row]).toBeNaN();
      expect(max(t, 0).data[col]).toBeNaN();
      expect(max(t, 1).data[1 - row]).not.toBeNaN();
    }
  });
});

describe('argmax', () => {
  it('over everything: flat index of the first largest element', () => {
    fc.assert(
      fc.property(reduceCase, ({ shape, dtype, seed, kind }) => {
        const t = randomTensor(shape, dtype, seed, kind);
        const flat = new Tensor(Float64Array.from(t.data), [t.size]);
        expect(argmax(t)).toBe(reference('argmax', flat, 0).values[0]);
      }),
      { numRuns: 150 },
    );
  });

  it('along every axis: index of the first largest element, for every other-axes position', () => {
    fc.assert(
      fc.property(reduceCase, ({ shape, dtype, seed, kind }) => {
        const t = randomTensor(shape, dtype, seed, kind);
        for (let axis = 0; axis < shape.length; axis++) {
          const expected = reference('argmax', t, axis).values;
          const r = argmax(t, axis);
          expect(r).toBeInstanceOf(Int32Array);
          expectSameValues(r, expected, `argmax axis ${axis}`);
          expectSameValues(argmax(t, axis - shape.length), expected, `argmax axis ${axis - shape.length}`);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('picks the first of ties', () => {
    expect(argmax(new Tensor([1, 5, 5, 2]))).toBe(1);
    expect(Array.from(argmax(new Tensor([1, 3, 3, 3, 3, 1], [2, 3]), 1))).toEqual([1, 0]);
    expect(Array.from(argmax(new Tensor([2, 2, 2, 2], [2, 2]), 0))).toEqual([0, 0]);
  });
});

describe('reduction options and errors', () => {
  it('keepDims results broadcast back against the input (the softmax pattern)', () => {
    const x = randomTensor([4, 5], 'float64', 3);
    const shifted = sub(x, max(x, 1, { keepDims: true }));
    expect(shifted.shape).toEqual([4, 5]);
    for (let i = 0; i < 4; i++) expect(max(shifted, 1).data[i]).toBe(0);
    const centered = sub(x, mean(x, 0, { keepDims: true }));
    sum(centered, 0).data.forEach((v) => expect(Math.abs(v)).toBeLessThan(1e-14));
  });

  it('refuse an axis that does not exist, naming the op, the axis and the shape', () => {
    const t = new Tensor(new Float64Array(6), [2, 3]);
    for (const [name, f] of [
      ['sum', (ax: number) => sum(t, ax)],
      ['mean', (ax: number) => mean(t, ax)],
      ['max', (ax: number) => max(t, ax)],
      ['min', (ax: number) => min(t, ax)],
      ['argmax', (ax: number) => argmax(t, ax)],
    ] as const) {
      expectShapeError(() => f(2), name, 'axis 2', '[2, 3]');
      expectShapeError(() => f(-3), name, 'axis -3', '[2, 3]');
      expectShapeError(() => f(0.5), name, '[2, 3]');
    }
    expectShapeError(() => sum(new Tensor([1], []), 0), 'sum', '[]');
  });

  it('refuse an out of the wrong shape, naming both shapes', () => {
    const t = new Tensor(new Float64Array(6), [2, 3]);
    expectShapeError(() => sum(t, 0, { out: new Tensor(new Float64Array(2), [2]) }), 'sum', '[2]', '[3]');
    expectShapeError(() => max(t, 1, { out: new Tensor(new Float64Array(2), [2]), keepDims: true }), 'max', '[2]', '[2, 1]');
    expectShapeError(() => mean(t, 1, { out: new Tensor(new Float64Array(2), [1, 2]) }), 'mean', '[1, 2]', '[2]');
  });
});

describe('argmax with NaN', () => {
  it('returns the first NaN, as NumPy does, over everything and along an axis', () => {
    // np.argmax([1, nan, 3, nan]) == 1; np.argmax([[5, nan], [2, 1]], axis=1) == [1, 0]
    expect(argmax(new Tensor([1, Number.NaN, 3, Number.NaN]))).toBe(1);
    expect(Array.from(argmax(new Tensor([5, Number.NaN, 2, 1], [2, 2]), 1))).toEqual([1, 0]);
    expect(Array.from(argmax(new Tensor([Number.NaN, 9, 2, 1], [2, 2]), 1))).toEqual([0, 0]);
  });
});

describe('sum and mean along a leading axis (db = Σ dout)', () => {
  it('add the rows one by one in float64 and round once: the same bits as that loop', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 2, max: 23 }),
        dtypeArb,
        seedArb,
        (outer, len, inner, dtype, seed) => {
          const t = randomTensor([outer, len, inner], dtype, seed, 'special');
          const sums: number[] = [];
          for (let p = 0; p < outer; p++) {
            for (let q = 0; q < inner; q++) {
              let s = t.data[p * len * inner + q]!;
              for (let i = 1; i < len; i++) s += t.data[(p * len + i) * inner + q]!;
              sums.push(s);
            }
          }
          expectSameValues(
            sum(t, 1).data,
            sums.map((s) => roundTo(dtype, s)),
            'sum',
          );
          expectSameValues(
            mean(t, 1).data,
            sums.map((s) => roundTo(dtype, s / len)),
            'mean',
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});
