import { describe, expect, it } from 'vitest';
import { RowBuffer } from './row-buffer.js';

function fill(buffer: RowBuffer, rows: number): Float32Array {
  const expected = new Float32Array(rows * buffer.width);
  for (let r = 0; r < rows; r++) {
    const at = buffer.startRow();
    for (let j = 0; j < buffer.width; j++) {
      buffer.chunk[at + j] = r * 1000 + j;
      expected[r * buffer.width + j] = r * 1000 + j;
    }
  }
  return expected;
}

describe('RowBuffer', () => {
  it('returns the rows in order whatever the chunking', () => {
    for (const [width, rows] of [
      [3, 1],
      [3, 16],
      [3, 17],
      [5, 1000],
      [784, 3000],
    ] as const) {
      const buffer = new RowBuffer(width);
      const expected = fill(buffer, rows);
      expect(buffer.rows).toBe(rows);
      const out = buffer.take();
      expect(out.length).toBe(rows * width);
      expect(
        out.findIndex((v, i) => v !== expected[i]),
        `${width} × ${rows}`,
      ).toBe(-1);
    }
  });

  it('gives an empty array without rows, and starts over after take', () => {
    const buffer = new RowBuffer(4);
    expect(buffer.take().length).toBe(0);
    fill(buffer, 40);
    buffer.take();
    expect(buffer.rows).toBe(0);
    const again = fill(buffer, 2);
    expect(Array.from(buffer.take())).toEqual(Array.from(again));
  });

  it('holds rows wider than a chunk', () => {
    const buffer = new RowBuffer((1 << 20) + 3);
    const at = buffer.startRow();
    buffer.chunk[at + (1 << 20) + 2] = 9;
    buffer.startRow();
    const out = buffer.take();
    expect(out.length).toBe(2 * ((1 << 20) + 3));
    expect(out[(1 << 20) + 2]).toBe(9);
  });

  it('takes back the row just started, also the first of a new chunk', () => {
    const buffer = new RowBuffer(3);
    const expected = fill(buffer, 16); // the first chunk, full
    for (let i = 0; i < 2; i++) {
      const at = buffer.startRow(); // opens the next chunk
      buffer.chunk.fill(-1, at, at + 3);
      buffer.cancelRow();
    }
    expect(buffer.rows).toBe(16);
    const at = buffer.startRow();
    buffer.chunk.set([7, 8, 9], at);
    expect(Array.from(buffer.take())).toEqual([...expected, 7, 8, 9]);
    expect(() => buffer.cancelRow()).toThrow(RangeError);
  });

  it('refuses a width that is not a whole number >= 1', () => {
    expect(() => new RowBuffer(0)).toThrow(RangeError);
    expect(() => new RowBuffer(2.5)).toThrow(RangeError);
  });
});
