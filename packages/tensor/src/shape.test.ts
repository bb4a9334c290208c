import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertValidShape, broadcastShapes, formatShape, ShapeError, sameShape, shapeSize } from './shape.js';
import { expectShapeError, shapeArb } from './test-support/index.js';

/** NumPy's rule written out directly: pad with leading 1s, then every axis pair must agree or contain a 1. */
function referenceBroadcast(a: readonly number[], b: readonly number[]): number[] | undefined {
  const n = Math.max(a.length, b.length);
  const pa = [...new Array<number>(n - a.length).fill(1), ...a];
  const pb = [...new Array<number>(n - b.length).fill(1), ...b];
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) out.push(x);
    else if (x === 1) out.push(y);
    else if (y === 1) out.push(x);
    else return undefined;
  }
  return out;
}

describe('formatShape', () => {
  it('writes shapes like NumPy tuples in brackets', () => {
    expect(formatShape([2, 3])).toBe('[2, 3]');
    expect(formatShape([7])).toBe('[7]');
    expect(formatShape([])).toBe('[]');
  });
});

describe('shapeSize', () => {
  it('multiplies the axis sizes; a scalar shape holds one element, an empty axis none', () => {
    expect(shapeSize([])).toBe(1);
    expect(shapeSize([5])).toBe(5);
    expect(shapeSize([2, 3, 4])).toBe(24);
    expect(shapeSize([3, 0, 2])).toBe(0);
  });
});

describe('sameShape', () => {
  it('compares axis by axis', () => {
    expect(sameShape([2, 3], [2, 3])).toBe(true);
    expect(sameShape([], [])).toBe(true);
    expect(sameShape([2, 3], [3, 2])).toBe(false);
    expect(sameShape([2, 3], [2, 3, 1])).toBe(false);
    expect(sameShape([1, 3], [3])).toBe(false);
  });
});

describe('assertValidShape', () => {
  it('accepts whole sizes >= 0', () => {
    expect(() => assertValidShape('op', [])).not.toThrow();
    expect(() => assertValidShape('op', [0, 1, 7])).not.toThrow();
  });

  it.each([{ shape: [2, -1] }, { shape: [2.5] }, { shape: [Number.NaN] }, { shape: [Infinity, 2] }])('refuses $shape naming the operation', ({ shape }) => {
    const e = expectShapeError(() => assertValidShape('zeros', shape), 'zeros', 'whole number');
    expect(e.op).toBe('zeros');
  });
});

describe('ShapeError', () => {
  it('is an Error named ShapeError that carries the operation and every shape', () => {
    const e = new ShapeError(
      'matmul',
      [
        [2, 3],
        [4, 5],
      ],
      'inner sizes differ',
    );
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.name).toBe('ShapeError');
    expect(e.op).toBe('matmul');
    expect(e.shapes).toEqual([
      [2, 3],
      [4, 5],
    ]);
    expect(e.message).toBe('matmul: inner sizes differ (shapes [2, 3] and [4, 5])');
  });
});

describe('broadcastShapes', () => {
  it('follows NumPy on the usual cases', () => {
    expect(broadcastShapes('add', [4, 3], [3])).toEqual([4, 3]);
    expect(broadcastShapes('add', [4, 3], [4, 1])).toEqual([4, 3]);
    expect(broadcastShapes('add', [5, 1, 3], [4, 1])).toEqual([5, 4, 3]);
    expect(broadcastShapes('add', [], [2, 2])).toEqual([2, 2]);
    expect(broadcastShapes('add', [1], [0])).toEqual([0]);
    expect(broadcastShapes('add', [2, 0], [1, 1])).toEqual([2, 0]);
  });

  it('agrees with the written-out rule on random shapes, and is symmetric', () => {
    // Small sizes with many 1s, so that compatible and incompatible pairs both come up.
    fc.assert(
      fc.property(shapeArb(0, 5, 4), shapeArb(0, 5, 4), (a, b) => {
        const expected = referenceBroadcast(a, b);
        if (expected === undefined) {
          expectShapeError(() => broadcastShapes('mul', a, b), 'mul', formatShape(a), formatShape(b));
          expectShapeError(() => broadcastShapes('mul', b, a), 'mul', formatShape(a), formatShape(b));
        } else {
          expect(broadcastShapes('mul', a, b)).toEqual(expected);
          expect(broadcastShapes('mul', b, a)).toEqual(expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('names the operation, both shapes and the clashing sizes', () => {
    const e = expectShapeError(() => broadcastShapes('add', [2, 3], [4, 5]), 'add', '[2, 3]', '[4, 5]', '2 and 4');
    expect(e.shapes).toEqual([
      [2, 3],
      [4, 5],
    ]);
  });
});
