import { describe, expect, it } from 'vitest';
import { itersForRound, median, ratio, rewarmIters, rotate, summarize } from './stats.js';

describe('median and summarize', () => {
  it('takes the middle of an odd count and the mean of the middle two of an even count', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(summarize([2, 9, 4])).toEqual({ median: 4, min: 2, max: 9, n: 3 });
  });
  it('refuses no values', () => {
    expect(() => median([])).toThrow(RangeError);
  });
});

describe('ratio', () => {
  it('divides, and is undefined when a side is missing or not positive', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(undefined, 2)).toBeUndefined();
    expect(ratio(1, 0)).toBeUndefined();
    expect(ratio(1, Number.NaN)).toBeUndefined();
  });
});

describe('rewarmIters', () => {
  it('is about 150 ms of steps, at least 2', () => {
    expect(rewarmIters(10)).toBe(15);
    expect(rewarmIters(0.35)).toBe(429);
    expect(rewarmIters(800)).toBe(2);
    expect(rewarmIters(0)).toBe(2);
    expect(rewarmIters(10, 40)).toBe(4);
  });
});

describe('itersForRound', () => {
  it('fills the round time, within bounds', () => {
    expect(itersForRound(2, 500)).toBe(250);
    expect(itersForRound(100, 500)).toBe(10);
    expect(itersForRound(0.0001, 500)).toBe(10_000);
  });
});

describe('rotate', () => {
  it('starts each round with the next implementation', () => {
    expect(rotate(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(rotate(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
    expect(rotate(['a', 'b', 'c'], 4)).toEqual(['b', 'c', 'a']);
    expect(rotate([], 3)).toEqual([]);
  });
});
