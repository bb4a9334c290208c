import type { Tensor } from '@dlfs/tensor';
import { expect } from 'vitest';

/** Expects `t` to have `shape` and, element by element in row-major order, `values` to `digits` decimals. */
export function expectTensorClose(t: Tensor, shape: readonly number[], values: readonly number[], digits = 12): void {
  expect(t.shape).toEqual(shape);
  expect(t.size).toBe(values.length);
  values.forEach((v, i) => expect(t.data[i], `element ${i}`).toBeCloseTo(v, digits));
}
