import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addInPlace, axpy, copyInto, divInPlace, fill, mulInPlace, scaleInPlace, subInPlace } from './inplace.js';
import { Tensor } from './tensor.js';
import {
  type DataKind,
  dimArb,
  dtypeArb,
  expectSameValues,
  expectShapeError,
  place,
  type Placement,
  randomTensor,
  roundTo,
  seedArb,
  shapeArb,
  withBackend,
} from './test-support/index.js';

type Op = 'add' | 'sub' | 'mul' | 'div';
const IN_PLACE = { add: addInPlace, sub: subInPlace, mul: mulInPlace, div: divInPlace };
const MATH: Record<Op, (x: number, y: number) => number> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
};
const opArb = fc.constantFrom<Op>('add', 'sub', 'mul', 'div');
const kindArb = fc.constantFrom<DataKind>('uniform', 'ints', 'special');

/**
 * a ∘= b where b's shape is `bShape`, broadcasting to a's shape [m, n]: the reference picks b's
 * element by row (bRow) and column (bCol), clamped on size-1 axes. Checks a is the same object
 * with the same buffer, a's dtype is kept, and the values are the float64 results rounded to it.
 */
function check(
  op: Op,
  m: number,
  n: number,
  bShape: number[],
  pick: (i: number, j: number) => number,
  c: { da: 'float32' | 'float64'; db: 'float32' | 'float64'; seed: number; kind: DataKind },
): void {
  const a = randomTensor([m, n], c.da, c.seed, c.kind);
  const b = randomTensor(bShape, c.db, c.seed + 1, c.kind);
  const before = Array.from(a.data);
  const bBefore = Array.from(b.data);
  const buffer = a.data;
  const expected: number[] = [];
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) expected.push(roundTo(c.da, MATH[op](before[i * n + j]!, b.data[pick(i, j)]!)));
  const r = IN_PLACE[op](a, b);
  expect(r).toBe(a);
  expect(a.data).toBe(buffer);
  expect(a.dtype).toBe(c.da);
  expect(a.shape).toEqual([m, n]);
  expectSameValues(a.data, expected, `${op}InPlace [${m}, ${n}] with [${bShape.join(', ')}]`);
  expectSameValues(b.data, bBefore, 'b unchanged');
}

const caseArb = fc.record({ op: opArb, da: dtypeArb, db: dtypeArb, seed: seedArb, kind: kindArb, m: dimArb, n: dimArb });

describe('addInPlace, subInPlace, mulInPlace, divInPlace', () => {
  it('same shape', () => {
    fc.assert(
      fc.property(caseArb, ({ op, m, n, ...c }) => check(op, m, n, [m, n], (i, j) => i * n + j, c)),
      { numRuns: 150 },
    );
  });

  it('row broadcasting: [m, n] with [n] and [1, n]', () => {
    fc.assert(
      fc.property(caseArb, ({ op, m, n, ...c }) => {
        check(op, m, n, [n], (_, j) => j, c);
        check(op, m, n, [1, n], (_, j) => j, c);
      }),
      { numRuns: 100 },
    );
  });

  it('column broadcasting: [m, n] with [m, 1]', () => {
    fc.assert(
      fc.property(caseArb, ({ op, m, n, ...c }) => check(op, m, n, [m, 1], (i) => i, c)),
      { numRuns: 100 },
    );
  });

  it('scalar tensors and numbers', () => {
    fc.assert(
      fc.property(caseArb, fc.double(), ({ op, m, n, ...c }, s) => {
        check(op, m, n, [], () => 0, c);
        check(op, m, n, [1, 1], () => 0, c);
        const a = randomTensor([m, n], c.da, c.seed, c.kind);
        const expected = Array.from(a.data, (x) => roundTo(c.da, MATH[op](x, s)));
        expect(IN_PLACE[op](a, s)).toBe(a);
        expectSameValues(a.data, expected);
      }),
      { numRuns: 100 },
    );
  });

  it('N-D with general broadcasting that keeps the shape of a', () => {
    const a = new Tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 3, 2]);
    addInPlace(a, new Tensor([100, 200, 300], [3, 1]));
    expect(Array.from(a.data)).toEqual([101, 102, 203, 204, 305, 306, 107, 108, 209, 210, 311, 312]);
    mulInPlace(a, new Tensor([1, -1], [2, 1, 1]));
    expect(Array.from(a.data)).toEqual([101, 102, 203, 204, 305, 306, -107, -108, -209, -210, -311, -312]);
  });

  it('accumulates into a tensor with itself as the other operand', () => {
    const a = new Tensor([1, 2, 3]);
    addInPlace(a, a);
    expect(Array.from(a.data)).toEqual([2, 4, 6]);
    mulInPlace(a, a);
    expect(Array.from(a.data)).toEqual([4, 16, 36]);
  });

  it('refuse a b that would change the shape of a, naming the operation, both shapes and the result', () => {
    const row = new Tensor(new Float64Array(3), [3]);
    const mat = new Tensor(new Float64Array(6), [2, 3]);
    expectShapeError(() => addInPlace(row, mat), 'add', '[3]', '[2, 3]');
    const e = expectShapeError(
      () => subInPlace(new Tensor(new Float64Array(2), [2, 1]), new Tensor(new Float64Array(3), [1, 3])),
      'sub',
      '[2, 1]',
      '[1, 3]',
      'result has [2, 3]',
    );
    expect(e.shapes).toEqual([
      [2, 1],
      [1, 3],
      [2, 1],
    ]);
    expectShapeError(() => mulInPlace(mat, new Tensor(new Float64Array(4), [4])), 'mul', '[2, 3]', '[4]');
    expectShapeError(() => divInPlace(mat, new Tensor(new Float64Array(6), [3, 2])), 'div', '[2, 3]', '[3, 2]');
    expect(Array.from(row.data)).toEqual([0, 0, 0]);
  });
});

describe('scaleInPlace', () => {
  it('multiplies every element by s in place', () => {
    fc.assert(
      fc.property(shapeArb(0, 4, 6), dtypeArb, seedArb, fc.double(), (shape, dtype, seed, s) => {
        const a = randomTensor(shape, dtype, seed, 'special');
        const expected = Array.from(a.data, (x) => roundTo(dtype, x * s));
        expect(scaleInPlace(a, s)).toBe(a);
        expectSameValues(a.data, expected);
      }),
      { numRuns: 80 },
    );
  });
});

describe('axpy', () => {
  it('y += alpha · x in place (the SGD step)', () => {
    fc.assert(
      fc.property(shapeArb(0, 4, 6), dtypeArb, dtypeArb, seedArb, fc.double({ min: -10, max: 10, noNaN: true }), (shape, dx, dy, seed, alpha) => {
        const x = randomTensor(shape, dx, seed);
        const y = randomTensor(shape, dy, seed + 1);
        const xBefore = Array.from(x.data);
        const expected = Array.from(y.data, (v, i) => roundTo(dy, v + alpha * xBefore[i]!));
        expect(axpy(alpha, x, y)).toBe(y);
        expectSameValues(y.data, expected);
        expectSameValues(x.data, xBefore, 'x unchanged');
      }),
      { numRuns: 80 },
    );
  });

  it('gives the same bits on the WASM kernel (float32 in WASM memory, float64 arithmetic) as in TypeScript', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 250, max: 1100 }),
        seedArb,
        fc.constantFrom<DataKind>('uniform', 'special', 'positive'),
        fc.double({ min: -10, max: 10, noNaN: true }),
        fc.constantFrom<Placement>('kernel', 'heap'),
        (size, seed, kind, alpha, where) => {
          const x = place(randomTensor([size], 'float32', seed, kind), where);
          const y = place(randomTensor([size], 'float32', seed + 1, kind), where);
          const expected = Array.from(y.data, (v, i) => roundTo('float32', v + alpha * x.data[i]!));
          withBackend('wasm', () => axpy(alpha, x, y));
          expectSameValues(y.data, expected);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('refuses different shapes, even of the same size, naming both', () => {
    expectShapeError(() => axpy(1, new Tensor(new Float64Array(6), [2, 3]), new Tensor(new Float64Array(6), [3, 2])), 'axpy', '[2, 3]', '[3, 2]');
    expectShapeError(() => axpy(1, new Tensor(new Float64Array(6), [6]), new Tensor(new Float64Array(6), [1, 6])), 'axpy', '[6]', '[1, 6]');
  });
});

describe('fill', () => {
  it('sets every element, rounding into float32', () => {
    const a = new Tensor(new Float32Array(5), [5]);
    expect(fill(a, 0.1)).toBe(a);
    expect(Array.from(a.data)).toEqual(new Array(5).fill(Math.fround(0.1)));
  });
});

describe('copyInto', () => {
  it('copies values between shapes of the same size, converting dtype', () => {
    fc.assert(
      fc.property(dimArb, dimArb, dtypeArb, dtypeArb, seedArb, (m, n, ds, dd, seed) => {
        const src = randomTensor([m, n], ds, seed, 'special');
        const dst = new Tensor(dd === 'float32' ? new Float32Array(m * n) : new Float64Array(m * n), [n, m]);
        const buffer = dst.data;
        expect(copyInto(dst, src)).toBe(dst);
        expect(dst.data).toBe(buffer);
        expect(dst.shape).toEqual([n, m]);
        expectSameValues(
          dst.data,
          Array.from(src.data, (x) => roundTo(dd, x)),
        );
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a different number of elements, naming both shapes', () => {
    expectShapeError(
      () => copyInto(new Tensor(new Float64Array(6), [2, 3]), new Tensor(new Float64Array(4), [2, 2])),
      'copyInto',
      '[2, 3]',
      '[2, 2]',
      '6',
      '4',
    );
  });
});
