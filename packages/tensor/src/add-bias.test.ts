import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addBias } from './add-bias.js';
import { add } from './elementwise.js';
import { type DType, Tensor } from './tensor.js';
import { type DataKind, expectSameValues, expectShapeError, place, type Placement, randomTensor, roundTo, seedArb, withBackend } from './test-support/index.js';

describe('addBias', () => {
  it('adds b to every row, giving the same bits on both backends as add(x, b)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 20, max: 120 })),
        fc.oneof(fc.constantFrom(1, 3, 4, 5, 7, 8, 9, 10, 50), fc.integer({ min: 1, max: 64 })),
        fc.constantFrom<DType>('float32', 'float32', 'float64'),
        seedArb,
        fc.constantFrom<DataKind>('uniform', 'special'),
        fc.constantFrom<Placement>('kernel', 'heap'),
        fc.boolean(),
        (rows, n, dtype, seed, kind, where, inPlace) => {
          const b = place(randomTensor([n], dtype, seed + 1, kind), where);
          const x0 = randomTensor([rows, n], dtype, seed, kind);
          const expected = Array.from(x0.data, (v, i) => roundTo(dtype, v + b.data[i % n]!));
          for (const backend of ['wasm', 'js'] as const) {
            const x = place(x0.clone(), where);
            const out = inPlace ? x : place(x0.clone(), where);
            const o = withBackend(backend, () => addBias(x, b, out));
            expect(o).toBe(out);
            expectSameValues(o.data, expected, `${backend} addBias`);
            // add() takes the same kernel for a float32 bias row; any other add gives the same numbers anyway.
            expectSameValues(withBackend(backend, () => add(place(x0.clone(), where), b)).data, expected, `${backend} add`);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('keeps x shape for N-D x and allocates in x dtype', () => {
    const x = new Tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2], 'float32');
    const y = addBias(x, new Tensor([10, 20], [2], 'float32'));
    expect(y.dtype).toBe('float32');
    expect(y.toArray()).toEqual([
      [
        [11, 22],
        [13, 24],
      ],
      [
        [15, 26],
        [17, 28],
      ],
    ]);
  });

  it('refuses a b that is not one value per column, and an out of another shape', () => {
    const x = new Tensor(new Float32Array(6), [2, 3]);
    expectShapeError(() => addBias(x, new Tensor(new Float32Array(2), [2])), 'addBias', '[2, 3]', '[2]', 'b must have shape [3]');
    expectShapeError(() => addBias(x, new Tensor(new Float32Array(3), [1, 3])), 'addBias', '[1, 3]');
    expectShapeError(() => addBias(new Tensor([1], []), new Tensor([1], [1])), 'addBias', 'at least one axis');
    expectShapeError(() => addBias(x, new Tensor(new Float32Array(3), [3]), new Tensor(new Float32Array(6), [3, 2])), 'addBias', 'out has shape [3, 2]');
  });
});
