import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { isKernelPlaced } from './backend.js';
import { tensor, zeros } from './creation.js';
import { sliceRows } from './slice-rows.js';

describe('sliceRows', () => {
  it('views rows [start, end) of x, sharing its memory', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const v = sliceRows(x, 1, 3);
    expect(v.shape).toEqual([2, 2]);
    expect(v.toArray()).toEqual([
      [3, 4],
      [5, 6],
    ]);
    v.data[0] = 30;
    expect(x.get(1, 0)).toBe(30);
    expect(sliceRows(x, 2, 2).shape).toEqual([0, 2]);
  });

  it('keeps N-D rows, and stays in WASM memory when x is', () => {
    const x = zeros([4, 2, 3], 'float32');
    const v = sliceRows(x, 1, 2);
    expect(v.shape).toEqual([1, 2, 3]);
    expect(isKernelPlaced(v)).toBe(isKernelPlaced(x));
  });

  it('refuses rows outside x', () => {
    const x = zeros([3, 2]);
    expect(() => sliceRows(x, 2, 4)).toThrow('sliceRows: rows [2, 4) are not within the 3 rows of x');
    expect(() => sliceRows(x, -1, 1)).toThrow(RangeError);
    expect(() => sliceRows(zeros([]), 0, 0)).toThrow(/scalar/);
  });

  it("keeps x's WASM memory alive while the view lives, after x itself is dropped and collected", async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const make = () => {
      const x = zeros([64, 256], 'float32');
      x.data.fill(7);
      return sliceRows(x, 60, 64);
    };
    const view = make();
    for (let round = 0; round < 3; round++) {
      gc();
      // FinalizationRegistry callbacks run as tasks of their own, after the collection.
      await new Promise((resolve) => setTimeout(resolve, 10));
      // Were x's block given back, these would be handed it and overwrite the view.
      for (let i = 0; i < 20; i++) zeros([64, 256], 'float32').data.fill(-1);
    }
    expect(view.data.every((v) => v === 7)).toBe(true);
  });
});
