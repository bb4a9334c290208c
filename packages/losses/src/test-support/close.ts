import { expect } from 'vitest';

/** Every element of `actual` within `tol` (absolute) of `expected`. */
export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i]! - expected[i]!);
    if (!(diff <= tol)) {
      expect.fail(`element ${i}: ${actual[i]} differs from ${expected[i]} by ${diff} (tolerance ${tol})`);
    }
  }
}

/** ‖a − b‖ / (‖a‖ + ‖b‖), the usual relative error of a gradient check. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i]! - b[i]!) ** 2;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return Math.sqrt(diff) / (Math.sqrt(na) + Math.sqrt(nb));
}
