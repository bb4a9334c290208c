import { describe, expect, it } from 'vitest';
import { type BenchData, decodeBenchData, encodeBenchData } from './bench-data.js';

function tiny(rows: number): BenchData {
  const cols = 3;
  const hidden = 2;
  const classes = 2;
  return {
    rows,
    cols,
    hidden,
    classes,
    x: Float32Array.from({ length: rows * cols }, (_, i) => i / 10),
    labels: Int32Array.from({ length: rows }, (_, i) => i % classes),
    params: {
      W1: Float64Array.from({ length: cols * hidden }, (_, i) => 0.01 * (i - 2)),
      b1: new Float64Array(hidden),
      W2: Float64Array.from({ length: hidden * classes }, (_, i) => -0.02 * i),
      b2: Float64Array.from([0.5, -0.5]),
    },
  };
}

describe('the benchmark data file', () => {
  it('decodes to what was encoded, with an odd row count (padding before the float64 weights)', () => {
    for (const rows of [1, 4]) {
      const d = tiny(rows);
      const back = decodeBenchData(encodeBenchData(d));
      expect(back).toEqual(d);
      expect(back.params.W1).toBeInstanceOf(Float64Array);
    }
  });
  it('refuses a file that is not one, or is cut short', () => {
    expect(() => decodeBenchData(Buffer.from('not a bench file at all, really'), 'x.bin')).toThrow(/x.bin: not a dlfs benchmark data file/);
    const buf = encodeBenchData(tiny(4));
    expect(() => decodeBenchData(buf.subarray(0, buf.length - 8), 'y.bin')).toThrow(/y.bin/);
  });
});
