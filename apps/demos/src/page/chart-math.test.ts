import { describe, expect, it } from 'vitest';
import { ema, formatTick, niceTicks } from './chart-math.js';

describe('niceTicks', () => {
  it('steps by 1, 2 or 5 times a power of ten', () => {
    expect(niceTicks(0, 2000, 4)).toEqual([0, 500, 1000, 1500, 2000]);
    // (1 − 0)/4 = 0.25 rounds up to a step of 0.5; 2.3/4 = 0.575 to a step of 1.
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.5, 1]);
    expect(niceTicks(0, 2.3, 4)).toEqual([0, 1, 2]);
    expect(niceTicks(0, 0.3, 3)).toEqual([0, 0.1, 0.2, 0.3]);
  });

  it('handles an empty range', () => {
    expect(niceTicks(5, 5)).toEqual([5]);
    expect(niceTicks(0, Number.NaN)).toEqual([]);
  });
});

describe('ema', () => {
  it('starts at the first value and moves by alpha', () => {
    expect(Array.from(ema([2, 4, 4], 0.5))).toEqual([2, 3, 3.5]);
  });

  it('continues a series given in pieces', () => {
    const whole = ema([1, 5, 3, 8], 0.1);
    const first = ema([1, 5], 0.1);
    const rest = ema([3, 8], 0.1, first[1]);
    expect([...first, ...rest]).toEqual(Array.from(whole));
  });
});

describe('formatTick', () => {
  it('shortens thousands', () => {
    expect(formatTick(1500)).toBe('1.5k');
    expect(formatTick(0.25)).toBe('0.25');
    expect(formatTick(0)).toBe('0');
  });
});
