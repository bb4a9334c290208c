import { MNIST_PIXELS } from './mnist-sample.js';

const pixelColumns = Array.from({ length: MNIST_PIXELS }, (_, i) => `pixel${i}`).join(',');

/** Kaggle's digit-recognizer `train.csv` has 42,000 rows. */
export const KAGGLE_TRAIN_ROWS = 42000;

/** Header of Kaggle's digit-recognizer `train.csv`. */
export const KAGGLE_TRAIN_HEADER = `label,${pixelColumns}`;
/** Header of its `test.csv`: pixels only, no label. */
export const KAGGLE_TEST_HEADER = pixelColumns;
/** Header of a submission, and of the `test_labels.csv` answer key written beside `test.csv`. */
export const KAGGLE_ANSWER_HEADER = 'ImageId,Label';

/**
 * MNIST pixels in 0..1 to Kaggle's 0..255 integers: `Math.round(v * 255)`. The package's values
 * are the original bytes divided by 255 and rounded to 3 decimals, so this gives the bytes back.
 */
export function mnistPixelsToBytes(pixels: ArrayLike<number>, out: Uint8Array = new Uint8Array(pixels.length)): Uint8Array {
  if (out.length < pixels.length) {
    throw new RangeError(`mnistPixelsToBytes: out holds ${out.length} bytes but there are ${pixels.length} pixels; pass a Uint8Array of at least that length`);
  }
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i]!;
    if (!(v >= 0 && v <= 1)) {
      throw new RangeError(`mnistPixelsToBytes: pixel ${i} is ${v}, outside 0..1; divide 0..255 values by 255 first`);
    }
    out[i] = Math.round(v * 255);
  }
  return out;
}
