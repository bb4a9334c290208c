import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { add, div, exp, log, map, maximum, mul, neg, sqrt, sub } from './elementwise.js';
import { formatShape } from './shape.js';
import { type DType, Tensor } from './tensor.js';
import {
  type DataKind,
  dimArb,
  dtypeArb,
  expectSameValues,
  expectShapeError,
  randomTensor,
  roundTo,
  seedArb,
  shapeArb,
  unravel,
} from './test-support/index.js';

type Op = 'add' | 'sub' | 'mul' | 'div';
const OPS = { add, sub, mul, div };
const MATH: Record<Op, (x: number, y: number) => number> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
};
const opArb = fc.constantFrom<Op>('add', 'sub', 'mul', 'div');
const kindArb = fc.constantFrom<DataKind>('uniform', 'ints', 'special');

/**
 * The float64 reference: for every multi-index of the broadcast result, pick each operand's element
 * by clamping its (right-aligned) index to 0 on size-1 axes. Returns undefined when NumPy would refuse.
 */
function reference(op: Op, a: Tensor, b: Tensor): { shape: number[]; values: number[] } | undefined {
  const nd = Math.max(a.ndim, b.ndim);
  const shape: number[] = [];
  for (let i = 0; i < nd; i++) {
    const da = i < nd - a.ndim ? 1 : a.shape[i - (nd - a.ndim)]!;
    const db = i < nd - b.ndim ? 1 : b.shape[i - (nd - b.ndim)]!;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    shape.push(da === 1 ? db : da);
  }
  const size = shape.reduce((p, d) => p * d, 1);
  const pick = (t: Tensor, idx: number[]): number => {
    let off = 0;
    for (let ax = 0; ax < t.ndim; ax++) {
      const d = t.shape[ax]!;
      off = off * d + (d === 1 ? 0 : idx[ax + nd - t.ndim]!);
    }
    return t.data[off]!;
  };
  const values: number[] = [];
  for (let k = 0; k < size; k++) {
    const idx = unravel(k, shape);
    values.push(MATH[op](pick(a, idx), pick(b, idx)));
  }
  return { shape, values };
}

function resultDtype(a: DType, b: DType): DType {
  return a === 'float32' && b === 'float32' ? 'float32' : 'float64';
}

/** Checks op(a, b), and op(a, b, out) into a pre-filled out, against the reference, value for value. */
function check(op: Op, a: Tensor, b: Tensor): void {
  const ref = reference(op, a, b);
  if (ref === undefined) throw new Error(`test bug: ${formatShape(a.shape)} and ${formatShape(b.shape)} do not broadcast`);
  const dtype = resultDtype(a.dtype, b.dtype);
  const expected = ref.values.map((x) => roundTo(dtype, x));
  const aBefore = Array.from(a.data);
  const bBefore = Array.from(b.data);
  const c = OPS[op](a, b);
  expect(c.shape).toEqual(ref.shape);
  expect(c.dtype).toBe(dtype);
  expectSameValues(c.data, expected, `${op} ${formatShape(a.shape)} ${formatShape(b.shape)}`);
  const out = new Tensor(new Float64Array(expected.length).fill(Number.NaN), ref.shape);
  expect(OPS[op](a, b, out)).toBe(out);
  expectSameValues(out.data, ref.values, `${op} into out`);
  expectSameValues(a.data, aBefore, 'a unchanged');
  expectSameValues(b.data, bBefore, 'b unchanged');
}

const pairArb = fc.record({ op: opArb, da: dtypeArb, db: dtypeArb, seed: seedArb, kind: kindArb });

describe('add, sub, mul, div against a float64 reference', () => {
  it('same shape', () => {
    fc.assert(
      fc.property(pairArb, shapeArb(0, 4, 9), ({ op, da, db, seed, kind }, shape) => {
        check(op, randomTensor(shape, da, seed, kind), randomTensor(shape, db, seed + 1, kind));
      }),
      { numRuns: 150 },
    );
  });

  it('row broadcasting: [m, n] with [n], either side', () => {
    fc.assert(
      fc.property(pairArb, dimArb, dimArb, ({ op, da, db, seed, kind }, m, n) => {
        const x = randomTensor([m, n], da, seed, kind);
        const bias = randomTensor([n], db, seed + 1, kind);
        check(op, x, bias);
        check(op, bias, x);
        check(op, x, bias.reshape([1, n]));
      }),
      { numRuns: 100 },
    );
  });

  it('column broadcasting: [m, n] with [m, 1], either side', () => {
    fc.assert(
      fc.property(pairArb, dimArb, dimArb, ({ op, da, db, seed, kind }, m, n) => {
        const x = randomTensor([m, n], da, seed, kind);
        const col = randomTensor([m, 1], db, seed + 1, kind);
        check(op, x, col);
        check(op, col, x);
      }),
      { numRuns: 100 },
    );
  });

  it('general broadcasting: [a, 1, c] with [b, 1], and [a, 1] with [1, c]', () => {
    fc.assert(
      fc.property(pairArb, dimArb, dimArb, dimArb, ({ op, da, db, seed, kind }, p, q, r) => {
        check(op, randomTensor([p, 1, r], da, seed, kind), randomTensor([q, 1], db, seed + 1, kind));
        check(op, randomTensor([q, 1], da, seed, kind), randomTensor([p, 1, r], db, seed + 1, kind));
        check(op, randomTensor([p, 1], da, seed, kind), randomTensor([1, r], db, seed + 1, kind));
      }),
      { numRuns: 80 },
    );
  });

  it('any compatible pair of shapes (drop leading axes, set axes to 1 at random)', () => {
    const caseArb = fc.record({
      shape: shapeArb(0, 5, 4),
      dropA: fc.integer({ min: 0, max: 5 }),
      dropB: fc.integer({ min: 0, max: 5 }),
      onesA: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
      onesB: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
    });
    fc.assert(
      fc.property(pairArb, caseArb, ({ op, da, db, seed, kind }, { shape, dropA, dropB, onesA, onesB }) => {
        const sa = shape.slice(Math.min(dropA, shape.length)).map((d, i) => (onesA[i] ? 1 : d));
        const sb = shape.slice(Math.min(dropB, shape.length)).map((d, i) => (onesB[i] ? 1 : d));
        check(op, randomTensor(sa, da, seed, kind), randomTensor(sb, db, seed + 1, kind));
      }),
      { numRuns: 200 },
    );
  });

  it('scalars: a number keeps the tensor dtype; a [] or [1] tensor broadcasts', () => {
    fc.assert(
      fc.property(pairArb, shapeArb(0, 3, 9), fc.double(), ({ op, da, db, seed, kind }, shape, s) => {
        const a = randomTensor(shape, da, seed, kind);
        const c = OPS[op](a, s);
        expect(c.dtype).toBe(da);
        expect(c.shape).toEqual(shape);
        expectSameValues(
          c.data,
          Array.from(a.data, (x) => roundTo(da, MATH[op](x, s))),
        );
        const out = new Tensor(new Float64Array(a.size), shape);
        expect(OPS[op](a, s, out)).toBe(out);
        expectSameValues(
          out.data,
          Array.from(a.data, (x) => MATH[op](x, s)),
        );
        check(op, a, randomTensor([], db, seed + 1, kind));
        check(op, randomTensor([], db, seed + 1, kind), a);
        check(op, a, randomTensor([1], db, seed + 1, kind));
      }),
      { numRuns: 100 },
    );
  });

  it('follows the dtype rules: float32 with float32 stays float32, anything with float64 is float64', () => {
    const f32 = new Tensor(new Float32Array([0.1, 0.2]), [2]);
    const f64 = new Tensor([0.1, 0.2], [2]);
    expect(add(f32, f32).dtype).toBe('float32');
    expect(add(f32, f64).dtype).toBe('float64');
    expect(add(f64, f32).dtype).toBe('float64');
    expect(add(f64, f64).dtype).toBe('float64');
    expect(add(f32, 1).dtype).toBe('float32');
    expect(add(f32, f64).data[0]).toBe(Math.fround(0.1) + 0.1);
    expect(mul(f32, f32).data[1]).toBe(Math.fround(Math.fround(0.2) * Math.fround(0.2)));
  });

  it('handles empty tensors', () => {
    expect(add(new Tensor([], [0, 3]), new Tensor([1, 2, 3], [3])).shape).toEqual([0, 3]);
    expect(mul(new Tensor([], [2, 0]), new Tensor([5, 6], [2, 1])).shape).toEqual([2, 0]);
  });
});

describe('shape errors of add, sub, mul, div', () => {
  it.each(['add', 'sub', 'mul', 'div'] as const)('%s names itself and both shapes', (op) => {
    const a = new Tensor(new Float64Array(6), [2, 3]);
    const b = new Tensor(new Float64Array(20), [4, 5]);
    expectShapeError(() => OPS[op](a, b), op, '[2, 3]', '[4, 5]');
    expectShapeError(() => OPS[op](a, new Tensor(new Float64Array(2), [2])), op, '[2, 3]', '[2]');
    expectShapeError(() => OPS[op](a, new Tensor(new Float64Array(3), [3, 1])), op, '[2, 3]', '[3, 1]');
  });

  it('refuse an out of the wrong shape, naming the out shape and the result shape', () => {
    const a = new Tensor(new Float64Array(6), [2, 3]);
    const b = new Tensor(new Float64Array(3), [3]);
    const e = expectShapeError(() => add(a, b, new Tensor(new Float64Array(6), [3, 2])), 'add', 'out has shape [3, 2] but the result has [2, 3]');
    expect(e.shapes).toEqual([[2, 3], [3], [3, 2]]);
    expectShapeError(
      () => mul(new Tensor(new Float64Array(2), [2, 1]), new Tensor(new Float64Array(3), [1, 3]), new Tensor(new Float64Array(2), [2, 1])),
      'mul',
      '[2, 1]',
      '[1, 3]',
      '[2, 3]',
    );
    expectShapeError(() => div(a, 2, new Tensor(new Float64Array(3), [3])), 'div', '[3]', '[2, 3]');
    expectShapeError(() => exp(a, new Tensor(new Float64Array(6), [6])), 'map', '[6]', '[2, 3]');
  });
});

describe('maximum', () => {
  it('is the element-wise max with broadcasting (numbers without NaN)', () => {
    fc.assert(
      fc.property(dtypeArb, seedArb, dimArb, dimArb, (dtype, seed, m, n) => {
        const a = randomTensor([m, n], dtype, seed, 'ints');
        const b = randomTensor([n], dtype, seed + 1, 'ints');
        const c = maximum(a, b);
        expect(c.shape).toEqual([m, n]);
        expectSameValues(
          c.data,
          Array.from(a.data, (x, k) => Math.max(x, b.data[k % n]!)),
        );
        expectSameValues(
          maximum(a, 0).data,
          Array.from(a.data, (x) => (x > 0 ? x : 0)),
        );
      }),
      { numRuns: 50 },
    );
  });
});

describe('exp, log, sqrt, neg, map', () => {
  const unaryArb = fc.record({ shape: shapeArb(0, 4, 7), dtype: dtypeArb, seed: seedArb });

  it('exp is Math.exp element by element (rounded once in float32)', () => {
    fc.assert(
      fc.property(unaryArb, fc.constantFrom<DataKind>('uniform', 'ints', 'special'), ({ shape, dtype, seed }, kind) => {
        const a = randomTensor(shape, dtype, seed, kind);
        const c = exp(a);
        expect(c.shape).toEqual(shape);
        expect(c.dtype).toBe(dtype);
        expectSameValues(
          c.data,
          Array.from(a.data, (x) => roundTo(dtype, Math.exp(x))),
        );
      }),
      { numRuns: 80 },
    );
  });

  it('log is Math.log element by element, and undoes exp', () => {
    fc.assert(
      fc.property(unaryArb, ({ shape, dtype, seed }) => {
        const a = randomTensor(shape, dtype, seed, 'positive');
        const c = log(a);
        expect(c.dtype).toBe(dtype);
        expectSameValues(
          c.data,
          Array.from(a.data, (x) => roundTo(dtype, Math.log(x))),
        );
        const back = exp(c);
        // Relative error of exp(log(x)): |log x| (at most 21 here) times the rounding of log, plus exp's.
        const rel = dtype === 'float32' ? 4e-6 : 1e-14;
        back.data.forEach((x, i) => expect(Math.abs(x - a.data[i]!)).toBeLessThanOrEqual(rel * a.data[i]!));
      }),
      { numRuns: 80 },
    );
  });

  it('log and exp give the IEEE edge values', () => {
    expect(Array.from(log(new Tensor([0, -0, -1, 1, Infinity, Number.NaN])).data)).toEqual([-Infinity, -Infinity, Number.NaN, 0, Infinity, Number.NaN]);
    expect(Array.from(exp(new Tensor([0, -Infinity, Infinity, 1000, -1000])).data)).toEqual([1, 0, Infinity, Infinity, 0]);
    expect(Array.from(exp(new Tensor(new Float32Array([100]), [1])).data)).toEqual([Infinity]);
  });

  it('write into out when given, and map applies any function', () => {
    const a = new Tensor([1, 4, 9, 16], [2, 2]);
    const out = new Tensor(new Float32Array(4), [2, 2]);
    expect(sqrt(a, out)).toBe(out);
    expect(Array.from(out.data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(neg(a).data)).toEqual([-1, -4, -9, -16]);
    expect(Array.from(map(a, (x) => x % 5).data)).toEqual([1, 4, 4, 1]);
    expect(Object.is(neg(new Tensor([0])).data[0], -0)).toBe(true);
  });
});

describe('maximum with NaN', () => {
  it('gives NaN when either side is NaN, as np.maximum', () => {
    expect(Array.from(maximum(new Tensor([Number.NaN, 0, 1]), new Tensor([0, Number.NaN, 2])).data)).toEqual([Number.NaN, Number.NaN, 2]);
    expect(Array.from(maximum(new Tensor([Number.NaN, -1]), 0).data)).toEqual([Number.NaN, 0]);
  });
});
