import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getBackend } from './backend.js';
import { copyRows } from './copy-rows.js';
import { zeros } from './creation.js';
import { kernelStats, resetKernelStats } from './kernel-stats.js';
import { Tensor } from './tensor.js';

/** x[indices] by hand, the oracle. */
function byHand(x: Float32Array | Float64Array, width: number, indices: Int32Array): number[] {
  return Array.from(indices).flatMap((r) => Array.from(x.subarray(r * width, (r + 1) * width)));
}

describe('copyRows', () => {
  it('copies the rows at the indices, repeats included, in WASM when both live in WASM memory', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer(),
        (rows, width, count, seed) => {
          const x = zeros([rows, width], 'float32');
          for (let i = 0; i < x.size; i++) x.data[i] = Math.fround(Math.sin(seed + i) * 100);
          const indices = Int32Array.from({ length: count }, (_, k) => Math.abs(seed * 7 + k * 13) % rows);
          const out = zeros([count, width], 'float32');
          resetKernelStats();
          copyRows(x, indices, out);
          expect(Array.from(out.data)).toEqual(byHand(x.data, width, indices));
          const s = kernelStats().kernels.copyRows;
          // On the 'js' backend every call runs the reference, by design.
          expect(getBackend() === 'js' ? s.jsBackend : s.wasm + s.small).toBe(1);
          expect(s.fallbacks).toEqual({});
        },
      ),
      { numRuns: 60 },
    );
  });

  it('runs the reference, counted as a fallback, when x is on the JS heap', () => {
    const x = new Tensor(
      Float32Array.from({ length: 600 }, (_, i) => i),
      [20, 30],
    );
    const out = zeros([10, 30], 'float32');
    const indices = Int32Array.from([19, 0, 3, 3, 7, 1, 2, 18, 5, 9]);
    resetKernelStats();
    copyRows(x, indices, out);
    expect(Array.from(out.data)).toEqual(byHand(x.data, 30, indices));
    expect(kernelStats().kernels.copyRows.fallbacks).toEqual(getBackend() === 'js' ? {} : { 'operand on the JS heap': 1 });
  });

  it('takes float64 rows (by design in TypeScript) and N-D rows', () => {
    const x = new Tensor(
      Float64Array.from({ length: 24 }, (_, i) => i / 3),
      [4, 2, 3],
    );
    const out = zeros([2, 2, 3], 'float64');
    copyRows(x, Int32Array.from([3, 1]), out);
    expect(Array.from(out.data)).toEqual(byHand(x.data, 6, Int32Array.from([3, 1])));
  });

  it('refuses an index outside the rows and an out of the wrong shape, before copying anything', () => {
    const x = zeros([5, 300], 'float32');
    const out = zeros([2, 300], 'float32');
    expect(() => copyRows(x, Int32Array.from([0, 5]), out)).toThrow('copyRows: indices[1] is 5, not a row index in 0..4');
    expect(() => copyRows(x, Int32Array.from([-1, 0]), out)).toThrow(/indices\[0\] is -1/);
    expect(() => copyRows(x, Int32Array.from([0]), out)).toThrow(/out must have shape \[1, 300\]/);
  });
});
