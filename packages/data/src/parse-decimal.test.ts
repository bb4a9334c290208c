import { describe, expect, it } from 'vitest';
import { isHugeDecimal, parseDecimal } from './parse-decimal.js';

describe('parseDecimal', () => {
  it('reads decimal numbers as CSV files write them', () => {
    const cases: [string, number][] = [
      ['0', 0],
      ['255', 255],
      ['-3', -3],
      ['+4', 4],
      ['2.5', 2.5],
      ['.5', 0.5],
      ['5.', 5],
      ['1e3', 1000],
      ['-1.5E-2', -0.015],
      ['  7 ', 7],
      ['007', 7],
      ['0e5', 0],
      ['-0', -0],
    ];
    for (const [text, value] of cases) expect(parseDecimal(text), text).toBe(value);
  });

  it('gives NaN for what is not a finite decimal number', () => {
    for (const text of ['', '   ', 'abc', 'NaN', 'Infinity', '-Infinity', '1e400', '0x1A', '0X1a', ' 0b101', '0o17', '1,5', '1_000', '2 3', '--1']) {
      expect(parseDecimal(text), JSON.stringify(text)).toBeNaN();
    }
  });

  it('reads numbers below float64 as 0 with their sign (1e-400), like Number', () => {
    expect(parseDecimal('1e-400')).toBe(0);
    expect(parseDecimal('-1e-400')).toBe(-0);
  });
});

describe('isHugeDecimal', () => {
  it('tells a decimal number beyond float64 from text, Infinity and radix-prefixed integers', () => {
    for (const text of ['1e400', '-1e400', '+1E+400', ' 1e99999 ', '9'.repeat(400), `${'9'.repeat(400)}.5`]) expect(isHugeDecimal(text), text).toBe(true);
    for (const text of ['1e39', '1e308', '1e-400', 'Infinity', '-Infinity', ` +Infinity`, `0x${'f'.repeat(300)}`, `0b${'1'.repeat(1100)}`, 'abc', '', '1e']) {
      expect(isHugeDecimal(text), text).toBe(false);
    }
  });
});
