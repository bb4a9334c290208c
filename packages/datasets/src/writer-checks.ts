import { formatShape } from '@dlfs/tensor';
import { MNIST_PIXELS, type MnistSample } from './mnist-sample.js';

/** Checks that a sample passed in by the caller has the shape `loadMnistSample` returns; its row count. */
export function sampleRows(op: string, sample: MnistSample): number {
  const [rows, pixels] = sample.x.shape;
  if (sample.x.ndim !== 2 || pixels !== MNIST_PIXELS || rows === undefined) {
    throw new RangeError(`${op}: sample.x must be [rows, ${MNIST_PIXELS}], got ${formatShape(sample.x.shape)}; pass what loadMnistSample() returns`);
  }
  if (sample.labels.length !== rows) {
    throw new RangeError(`${op}: sample.labels has ${sample.labels.length} entries for ${rows} rows of sample.x; give one label per row`);
  }
  return rows;
}

/** Whole number check for a count option, naming the option. */
export function checkCount(op: string, name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${op}: ${name} must be a whole number in ${min}..${max}, got ${value}`);
  }
}
