import { sliceRows, type Tensor } from '@dlfs/tensor';
import type { Split } from './train-val-split.js';

/** Rows and their labels. */
export interface LabelledRows {
  x: Tensor;
  labels: Int32Array;
}

/**
 * The two parts of a split without copying the data set: x's rows (and the labels) are reordered
 * in place so that the training rows come first, in the split's order, then the validation rows,
 * and both parts are views of x (sliceRows). The same rows as gatherRows(x, split.train) and
 * gatherRows(x, split.val), bit for bit, without a second copy of the data (a Kaggle train.csv is
 * 132 MB of float32); only the validation rows pass through a temporary copy. x and labels are
 * left in that new order; `split` must be a split of all of x's rows, each list ascending, as
 * trainValSplit gives.
 */
export function splitRows(x: Tensor, labels: Int32Array, split: Split): { train: LabelledRows; val: LabelledRows } {
  const rows = x.shape[0] ?? 0;
  const { train, val } = split;
  if (labels.length !== rows) throw new RangeError(`splitRows: x has ${rows} rows but labels has ${labels.length}`);
  if (train.length + val.length !== rows) {
    throw new RangeError(`splitRows: the split holds ${train.length} + ${val.length} rows but x has ${rows}; split all of x's rows, as trainValSplit does`);
  }
  const seen = new Uint8Array(rows);
  for (const part of [train, val]) {
    for (let k = 0; k < part.length; k++) {
      const r = part[k]!;
      if (!(Number.isInteger(r) && r >= 0 && r < rows) || seen[r] === 1 || (k > 0 && r <= part[k - 1]!)) {
        throw new RangeError(`splitRows: the split's row ${r} is not a row of x, repeats, or is out of ascending order`);
      }
      seen[r] = 1;
    }
  }
  const width = rows === 0 ? 0 : x.size / rows;
  const X = x.data;
  const keepX = new (X.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(val.length * width);
  const keepLabels = new Int32Array(val.length);
  for (let k = 0; k < val.length; k++) {
    const r = val[k]!;
    keepX.set(X.subarray(r * width, (r + 1) * width), k * width);
    keepLabels[k] = labels[r]!;
  }
  // Training rows move forward only (row k comes from row train[k] >= k), so in order, in place.
  for (let k = 0; k < train.length; k++) {
    const r = train[k]!;
    if (r !== k) {
      X.copyWithin(k * width, r * width, (r + 1) * width);
      labels[k] = labels[r]!;
    }
  }
  X.set(keepX, train.length * width);
  labels.set(keepLabels, train.length);
  return {
    train: { x: sliceRows(x, 0, train.length), labels: labels.subarray(0, train.length) },
    val: { x: sliceRows(x, train.length, rows), labels: labels.subarray(train.length) },
  };
}
