import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { zeros } from './creation.js';
import { kernelStats, resetKernelStats } from './kernel-stats.js';
import { type DType, Tensor } from './tensor.js';
import {
  dimArb,
  dtypeArb,
  expectSameValues,
  expectShapeError,
  place,
  type Placement,
  randomTensor,
  seedArb,
  shapeArb,
  stridesOf,
  unravel,
  withBackend,
} from './test-support/index.js';
import { transpose } from './transpose.js';

describe('transpose', () => {
  /** out[idx] = a[src] where src[perm[d]] = idx[d]: NumPy's np.transpose(a, perm). */
  function reference(a: Tensor, perm: readonly number[]): { shape: number[]; values: number[] } {
    const shape = perm.map((p) => a.shape[p]!);
    const strides = stridesOf(a.shape);
    const size = shape.reduce((p, d) => p * d, 1);
    const values: number[] = [];
    for (let k = 0; k < size; k++) {
      const idx = unravel(k, shape);
      let src = 0;
      for (let d = 0; d < perm.length; d++) src += idx[d]! * strides[perm[d]!]!;
      values.push(a.data[src]!);
    }
    return { shape, values };
  }

  it('2-D: swaps rows and columns', () => {
    fc.assert(
      fc.property(dimArb, dimArb, dtypeArb, seedArb, (r, c, dtype, seed) => {
        const a = randomTensor([r, c], dtype, seed);
        const t = transpose(a);
        const ref = reference(a, [1, 0]);
        expect(t.shape).toEqual([c, r]);
        expect(t.dtype).toBe(dtype);
        expectSameValues(t.data, ref.values);
        for (let i = 0; i < Math.min(r, 3); i++) for (let j = 0; j < Math.min(c, 3); j++) expect(t.get(j, i)).toBe(a.get(i, j));
        expectSameValues(transpose(t).data, a.data);
        expectSameValues(transpose(a, [0, 1]).data, a.data);
      }),
      { numRuns: 60 },
    );
  });

  it('N-D: any permutation, and reversed axes by default', () => {
    fc.assert(
      fc.property(
        shapeArb(0, 5, 5).chain((shape) =>
          fc.record({
            shape: fc.constant(shape),
            perm: fc.shuffledSubarray(
              shape.map((_, i) => i),
              { minLength: shape.length, maxLength: shape.length },
            ),
          }),
        ),
        dtypeArb,
        seedArb,
        ({ shape, perm }, dtype, seed) => {
          const a = randomTensor(shape, dtype, seed);
          const t = transpose(a, perm);
          const ref = reference(a, perm);
          expect(t.shape).toEqual(ref.shape);
          expectSameValues(t.data, ref.values);
          // Applying the inverse permutation gives a back.
          const inverse = new Array<number>(perm.length);
          perm.forEach((p, i) => (inverse[p] = i));
          expectSameValues(transpose(t, inverse).data, a.data);
          const reversed = shape.map((_, i) => shape.length - 1 - i);
          expectSameValues(transpose(a).data, reference(a, reversed).values);
          expect(t.data).not.toBe(a.data);
        },
      ),
      { numRuns: 120 },
    );
  });

  it('handles empty tensors and scalars', () => {
    expect(transpose(new Tensor([], [0, 3])).shape).toEqual([3, 0]);
    expect(transpose(new Tensor([], [2, 0, 3]), [2, 0, 1]).shape).toEqual([3, 2, 0]);
    expect(transpose(new Tensor([7], [])).toArray()).toBe(7);
  });

  it('refuses a perm that is not a permutation of the axes', () => {
    const a = new Tensor(new Float64Array(24), [2, 3, 4]);
    for (const perm of [
      [0, 1],
      [0, 1, 1],
      [0, 1, 3],
      [-1, 0, 1],
      [0, 1, 2, 3],
      [0.5, 1, 2],
    ]) {
      expectShapeError(() => transpose(a, perm), 'transpose', '[2, 3, 4]', `[${perm.join(', ')}]`);
    }
  });
});

describe('transpose into out', () => {
  /** np.transpose(a, perm) as plain numbers, read through explicit strides. */
  function reference(a: Tensor, perm: readonly number[]): number[] {
    const shape = perm.map((p) => a.shape[p]!);
    const strides = stridesOf(a.shape);
    const size = shape.reduce((p, d) => p * d, 1);
    const values: number[] = [];
    for (let k = 0; k < size; k++) {
      const idx = unravel(k, shape);
      let src = 0;
      for (let d = 0; d < perm.length; d++) src += idx[d]! * strides[perm[d]!]!;
      values.push(a.data[src]!);
    }
    return values;
  }

  const caseArb = fc.oneof(
    fc.record({ shape: fc.tuple(dimArb, dimArb).map((s) => [...s]), perm: fc.constant([1, 0]) }),
    shapeArb(1, 4, 5).chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        perm: fc.shuffledSubarray(
          shape.map((_, i) => i),
          { minLength: shape.length, maxLength: shape.length },
        ),
      }),
    ),
  );

  it('writes the permuted values into out, on both backends and any placement, and returns out', () => {
    fc.assert(
      fc.property(
        caseArb,
        fc.constantFrom<DType>('float32', 'float32', 'float64'),
        seedArb,
        fc.constantFrom<Placement>('kernel', 'heap'),
        fc.constantFrom<Placement>('kernel', 'heap'),
        ({ shape, perm }, dtype, seed, whereA, whereOut) => {
          const a = place(randomTensor(shape, dtype, seed, 'special'), whereA);
          const expected = reference(a, perm);
          for (const backend of ['wasm', 'js'] as const) {
            const out = place(
              randomTensor(
                perm.map((p) => shape[p]!),
                dtype,
                seed + 1,
              ),
              whereOut,
            );
            const data = out.data;
            const t = withBackend(backend, () => transpose(a, perm, out));
            expect(t).toBe(out);
            expect(t.data).toBe(data);
            expectSameValues(t.data, expected, `${backend} ${dtype} [${shape.join(', ')}] perm [${perm.join(', ')}]`);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('converts into an out of the other dtype, and keeps the two-argument forms', () => {
    const a = randomTensor([3, 5], 'float64', 1);
    const out = zeros([5, 3], 'float32');
    transpose(a, undefined, out);
    expectSameValues(out.data, reference(a, [1, 0]).map(Math.fround));
    expectSameValues(transpose(a).data, reference(a, [1, 0]));
    expectSameValues(transpose(a, [1, 0]).data, reference(a, [1, 0]));
  });

  it('refuses an out of the wrong shape or sharing memory with the input', () => {
    const a = new Tensor(new Float32Array(24), [2, 3, 4]);
    expectShapeError(() => transpose(a, undefined, zeros([2, 3, 4], 'float32')), 'transpose', 'out has shape [2, 3, 4] but the result has [4, 3, 2]');
    expectShapeError(() => transpose(a, [0, 2, 1], a.reshape([2, 4, 3])), 'transpose', 'share memory');
    withBackend('wasm', () => {
      const k = zeros([20, 20], 'float32');
      expectShapeError(() => transpose(k, undefined, new Tensor(k.data.subarray(0, 400), [20, 20])), 'transpose', 'share memory');
    });
  });

  it('runs a 2-D float32 transpose in WASM when both live in WASM memory, and counts why not otherwise', () => {
    withBackend('wasm', () => {
      const a = zeros([32, 24], 'float32');
      a.data.set(randomTensor([32, 24], 'float32', 5).data);
      const out = zeros([24, 32], 'float32');
      resetKernelStats();
      transpose(a, undefined, out);
      expect(kernelStats().kernels.transpose).toMatchObject({ wasm: 1, reference: 0 });
      expectSameValues(out.data, reference(a, [1, 0]));
      // No out: the result is a JS-heap temporary, where the in-place kernel cannot run.
      transpose(a);
      expect(kernelStats().kernels.transpose.fallbacks['operand on the JS heap']).toBe(1);
      // More than two axes: no WASM entry for that form.
      transpose(zeros([8, 8, 8], 'float32'), [2, 0, 1], zeros([8, 8, 8], 'float32'));
      expect(kernelStats().kernels.transpose.fallbacks['form not supported']).toBe(1);
      // Small: by design, not a fallback.
      transpose(zeros([4, 4], 'float32'), undefined, zeros([4, 4], 'float32'));
      expect(kernelStats().kernels.transpose).toMatchObject({ wasm: 1, small: 1, reference: 3 });
    });
  });
});
