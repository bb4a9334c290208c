import { type DType, type Tensor, zeros } from '@dlfs/tensor';

/** 3.6 / 4.2: class indices as one-hot rows, [labels.length, classes], 1 at each row's class and 0 elsewhere. */
export function oneHot(labels: Int32Array | ArrayLike<number>, classes: number, dtype: DType = 'float32'): Tensor {
  if (!Number.isInteger(classes) || classes < 1) throw new RangeError(`oneHot: classes must be a whole number >= 1, got ${classes}`);
  const t = zeros([labels.length, classes], dtype);
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i]!;
    if (!Number.isInteger(k) || k < 0 || k >= classes) {
      throw new RangeError(`oneHot: labels[${i}] is ${k}, not a class index in 0..${classes - 1}`);
    }
    t.data[i * classes + k] = 1;
  }
  return t;
}
