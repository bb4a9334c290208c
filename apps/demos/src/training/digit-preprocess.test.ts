import { describe, expect, it } from 'vitest';
import { DIGIT_SIDE, toMnistDigit } from './digit-preprocess.js';

/** A width × height drawing with full ink in the rectangle [x0, x1) × [y0, y1). */
function drawing(width: number, height: number, x0: number, x1: number, y0: number, y1: number): Uint8Array {
  const ink = new Uint8Array(width * height);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) ink[y * width + x] = 255;
  return ink;
}

function box(d: Float32Array): { x0: number; x1: number; y0: number; y1: number; mass: number; cx: number; cy: number } {
  let [x0, x1, y0, y1, mass, mx, my] = [DIGIT_SIDE, -1, DIGIT_SIDE, -1, 0, 0, 0];
  for (let y = 0; y < DIGIT_SIDE; y++) {
    for (let x = 0; x < DIGIT_SIDE; x++) {
      const v = d[y * DIGIT_SIDE + x]!;
      if (v <= 0) continue;
      [x0, x1, y0, y1] = [Math.min(x0, x), Math.max(x1, x), Math.min(y0, y), Math.max(y1, y)];
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  return { x0, x1, y0, y1, mass, cx: mx / mass, cy: my / mass };
}

describe('toMnistDigit', () => {
  it('gives nothing for an empty pad', () => {
    expect(toMnistDigit(new Uint8Array(280 * 280), 280, 280)).toBeUndefined();
  });

  it('scales a tall stroke to 20 pixels high, keeps its aspect ratio and centres its mass', () => {
    // A bar 20 × 200 in the top-left corner of a 280 × 280 pad: it becomes 2 × 20.
    const d = toMnistDigit(drawing(280, 280, 10, 30, 5, 205), 280, 280)!;
    const b = box(d);
    expect(b.y1 - b.y0 + 1).toBe(20);
    expect(b.x1 - b.x0 + 1).toBe(2);
    expect(b.cx).toBeCloseTo(14, 0);
    expect(b.cy).toBeCloseTo(14, 0);
    // Area averaging keeps full ink full: every inked output pixel is 255.
    expect(Math.max(...d)).toBe(255);
    expect(b.mass).toBeCloseTo(2 * 20 * 255, 6);
  });

  it('scales a wide shape by its width and enlarges a small one', () => {
    const wide = box(toMnistDigit(drawing(280, 280, 20, 260, 100, 160), 280, 280)!);
    expect(wide.x1 - wide.x0 + 1).toBe(20);
    expect(wide.y1 - wide.y0 + 1).toBe(5);
    const tiny = box(toMnistDigit(drawing(280, 280, 100, 105, 100, 110), 280, 280)!);
    expect(tiny.y1 - tiny.y0 + 1).toBe(20);
    expect(tiny.x1 - tiny.x0 + 1).toBe(10);
  });

  it('ignores faint specks below the ink threshold', () => {
    const ink = drawing(100, 100, 40, 60, 10, 90);
    ink[0] = 5;
    const b = box(toMnistDigit(ink, 100, 100)!);
    expect(b.y1 - b.y0 + 1).toBe(20);
  });

  it('checks the size it is given', () => {
    expect(() => toMnistDigit(new Uint8Array(10), 4, 4)).toThrow('4 × 4 needs 16 values, got 10');
  });
});
