import { Rng } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { trainValSplit } from './train-val-split.js';

describe('trainValSplit', () => {
  it('holds out round(rows · valFraction) rows, each row in exactly one part, both sorted', () => {
    const { train, val } = trainValSplit(42000, 0.1, new Rng(1));
    expect(val.length).toBe(4200);
    expect(train.length).toBe(37800);
    const seen = new Uint8Array(42000);
    for (const r of [...train, ...val]) seen[r]!++;
    expect(seen.every((c) => c === 1)).toBe(true);
    for (const part of [train, val]) for (let i = 1; i < part.length; i++) expect(part[i]! > part[i - 1]!).toBe(true);
  });

  it('takes the validation rows from the head of the seeded permutation', () => {
    const { val } = trainValSplit(10, 0.3, new Rng(7));
    expect(Array.from(val)).toEqual(Array.from(new Rng(7).permutation(10).slice(0, 3)).sort((a, b) => a - b));
  });

  it('gives the same split for the same seed and another for another seed', () => {
    const a = trainValSplit(1000, 0.2, new Rng(3));
    const b = trainValSplit(1000, 0.2, new Rng(3));
    const c = trainValSplit(1000, 0.2, new Rng(4));
    expect(Array.from(a.val)).toEqual(Array.from(b.val));
    expect(Array.from(a.val)).not.toEqual(Array.from(c.val));
  });

  it('holds out nothing for valFraction 0', () => {
    const { train, val } = trainValSplit(5, 0, new Rng(0));
    expect(val.length).toBe(0);
    expect(Array.from(train)).toEqual([0, 1, 2, 3, 4]);
  });

  it('refuses a fraction outside [0, 1), bad row counts, and a split that leaves no training rows', () => {
    for (const f of [1, -0.1, 1.5, NaN]) expect(() => trainValSplit(10, f, new Rng(0))).toThrow(/valFraction must be in \[0, 1\)/);
    expect(() => trainValSplit(0, 0.1, new Rng(0))).toThrow(/rows must be a whole number >= 1/);
    expect(() => trainValSplit(2.5, 0.1, new Rng(0))).toThrow(RangeError);
    expect(() => trainValSplit(1, 0.6, new Rng(0))).toThrow(/leaves none to train on/);
  });
});
