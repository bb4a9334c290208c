import { Rng, Tensor, zeros } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { gatherLabels, gatherRows } from './gather.js';
import { splitRows } from './split-rows.js';
import { trainValSplit } from './train-val-split.js';

function rowsOf(n: number, width: number, placed: boolean): { x: Tensor; labels: Int32Array } {
  const x = placed ? zeros([n, width], 'float32') : new Tensor(new Float32Array(n * width), [n, width]);
  for (let i = 0; i < x.size; i++) x.data[i] = Math.fround(Math.sin(i) * 10);
  return { x, labels: Int32Array.from({ length: n }, (_, r) => r % 7) };
}

describe('splitRows', () => {
  it('gives the rows and labels gatherRows gives, in place, for any seeded split', () => {
    for (const [n, fraction, seed, placed] of [
      [50, 0.1, 1, true],
      [37, 0.3, 2, false],
      [9, 0, 3, true],
      [120, 0.5, 4, true],
    ] as const) {
      const a = rowsOf(n, 13, placed);
      const split = trainValSplit(n, fraction, new Rng(seed));
      const expected = {
        trainX: Array.from(gatherRows(a.x, split.train).data),
        valX: Array.from(gatherRows(a.x, split.val).data),
        trainLabels: Array.from(gatherLabels(a.labels, split.train)),
        valLabels: Array.from(gatherLabels(a.labels, split.val)),
      };
      const parts = splitRows(a.x, a.labels, split);
      expect(Array.from(parts.train.x.data)).toEqual(expected.trainX);
      expect(Array.from(parts.val.x.data)).toEqual(expected.valX);
      expect(Array.from(parts.train.labels)).toEqual(expected.trainLabels);
      expect(Array.from(parts.val.labels)).toEqual(expected.valLabels);
      expect(parts.train.x.shape).toEqual([split.train.length, 13]);
      // Views of x, not copies.
      expect(parts.train.x.data.buffer).toBe(a.x.data.buffer);
    }
  });

  it('refuses a split that is not a split of all the rows', () => {
    const a = rowsOf(5, 2, false);
    expect(() => splitRows(a.x, a.labels, { train: Int32Array.from([0, 1, 2]), val: Int32Array.from([3]) })).toThrow(/holds 3 \+ 1 rows but x has 5/);
    expect(() => splitRows(a.x, a.labels, { train: Int32Array.from([0, 1, 1]), val: Int32Array.from([3, 4]) })).toThrow(/row 1 is not a row of x, repeats/);
    expect(() => splitRows(a.x, a.labels, { train: Int32Array.from([2, 1, 0]), val: Int32Array.from([3, 4]) })).toThrow(/out of ascending order/);
    expect(() => splitRows(a.x, a.labels.subarray(1), { train: Int32Array.from([0]), val: Int32Array.from([]) })).toThrow(/5 rows but labels has 4/);
  });
});
