import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { relu, reluBackward } from './relu.js';
import { type DType, Tensor } from './tensor.js';
import {
  type DataKind,
  expectSameValues,
  expectShapeError,
  place,
  type Placement,
  randomTensor,
  seedArb,
  shapeArb,
  withBackend,
} from './test-support/index.js';

// The book's ReLU (5.5.1): mask = x <= 0; out = x; out[mask] = 0; dx = dout; dx[mask] = 0.
const bookForward = (x: number): number => (x <= 0 ? 0 : x);
const bookBackward = (x: number, d: number): number => (x <= 0 ? 0 : d);

// Sizes below and above the WASM threshold (256), with every remainder modulo the 4 lanes.
const sizeArb = fc.oneof({ weight: 1, arbitrary: fc.integer({ min: 1, max: 20 }) }, { weight: 3, arbitrary: fc.integer({ min: 250, max: 1100 }) });
// float32 (what WASM runs) more often than float64.
const kernelDtypeArb = fc.constantFrom<DType>('float32', 'float32', 'float64');
const placementArb = fc.constantFrom<Placement>('kernel', 'heap');

describe('relu', () => {
  it("is the book's forward on both backends: the same bits, NaN passing through, -0 becoming 0", () => {
    fc.assert(
      fc.property(sizeArb, kernelDtypeArb, seedArb, placementArb, fc.boolean(), (size, dtype, seed, where, inPlace) => {
        for (const backend of ['wasm', 'js'] as const) {
          const x = place(randomTensor([size], dtype, seed, 'special'), where);
          const expected = Array.from(x.data, bookForward);
          const out = inPlace ? x : place(new Tensor(dtype === 'float32' ? new Float32Array(size) : new Float64Array(size), [size]), where);
          const y = withBackend(backend, () => relu(x, out));
          expect(y).toBe(out);
          expectSameValues(y.data, expected, `${backend} ${dtype} ${where}`);
        }
      }),
      { numRuns: 100 },
    );
    expect(Object.is(relu(new Tensor([-0], [1])).data[0], 0)).toBe(true);
  });

  it('allocates a result of x shape and dtype when no out is given', () => {
    const x = new Tensor([-1, 2, 0, 3], [2, 2], 'float32');
    const y = relu(x);
    expect(y.dtype).toBe('float32');
    expect(y.toArray()).toEqual([
      [0, 2],
      [0, 3],
    ]);
  });
});

describe('reluBackward', () => {
  it("is the book's backward given the forward input or output, on both backends", () => {
    fc.assert(
      fc.property(
        sizeArb,
        kernelDtypeArb,
        seedArb,
        placementArb,
        fc.constantFrom<'x' | 'y'>('x', 'y'),
        fc.constantFrom<DataKind>('uniform', 'special'),
        (size, dtype: DType, seed, where, from, kind) => {
          const x = place(randomTensor([size], dtype, seed, kind), where);
          const dout = place(randomTensor([size], dtype, seed + 1, kind), where);
          const expected = Array.from(x.data, (v, i) => bookBackward(v, dout.data[i]!));
          for (const backend of ['wasm', 'js'] as const) {
            const mask = from === 'x' ? x : withBackend(backend, () => relu(x));
            const dx = place(new Tensor(dtype === 'float32' ? new Float32Array(size) : new Float64Array(size), [size]), where);
            withBackend(backend, () => reluBackward(dout, place(mask, where), dx));
            expectSameValues(dx.data, expected, `${backend} from ${from}`);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('may write over dout, and refuses shapes that differ', () => {
    const x = new Tensor([1, -1, 2], [3], 'float32');
    const dout = new Tensor([5, 6, 7], [3], 'float32');
    expect(reluBackward(dout, x, dout).toArray()).toEqual([5, 0, 7]);
    expectShapeError(() => reluBackward(new Tensor([1, 2], [2]), x), 'reluBackward', 'dout', '[2]', '[3]');
    expectShapeError(() => reluBackward(dout, x, new Tensor([0, 0, 0], [1, 3])), 'reluBackward', 'out', '[1, 3]');
    expectShapeError(() => relu(x, new Tensor([0, 0], [2])), 'relu', 'out', '[2]');
  });

  it('works on any shape', () => {
    fc.assert(
      fc.property(shapeArb(0, 4, 5), seedArb, (shape, seed) => {
        const x = randomTensor(shape, 'float64', seed);
        expect(relu(x).shape).toEqual(shape);
        expect(reluBackward(x, x).shape).toEqual(shape);
      }),
    );
  });
});
