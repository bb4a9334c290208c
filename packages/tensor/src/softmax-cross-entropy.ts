import { defineKernel } from './kernel.js';
import { formatShape, ShapeError, sameShape } from './shape.js';
import type { Tensor, TypedArray } from './tensor.js';
import { scratchSize } from './wasm/runtime.js';
import { checkClassIndices, expRow, softmaxRow } from './softmax-row.js';

export interface SoftmaxCrossEntropyOptions {
  /** Receives y = softmax(x) (x's shape). */
  probs?: Tensor;
  /** Receives the gradient dx = dout · (y − onehot(t)) / rows (x's shape; may be x itself). */
  dx?: Tensor;
  /** The upstream gradient of the loss (1 for the last layer). */
  dout?: number;
}

/** Below this many scores the kernel stays in TypeScript. */
const WASM_MIN_SCORES = 256;

const rowMax = new Float64Array(1);

/**
 * 5.6.3 SoftmaxWithLoss in one pass, for class-index labels: row by row along the last axis,
 * y = exp(x − max x) / Σ exp(x − max x) and the mean cross-entropy error
 * L = (1/rows) Σ −log y[t] = (1/rows) Σ (log Σ exp(x − max x) + max x − x[t]), computed in float64
 * from log space (no 1e-7 guard needed). Returns L; writes y into `probs` and
 * dout · (y − onehot(t)) / rows into `dx` when given.
 */
export function softmaxCrossEntropy(x: Tensor, labels: Int32Array | readonly number[], opts: SoftmaxCrossEntropyOptions = {}): number {
  const op = 'softmaxCrossEntropy';
  if (x.ndim === 0) throw new ShapeError(op, [x.shape], 'the scores are a scalar; give a vector of class scores or a [batch, classes] matrix');
  const classes = x.shape[x.ndim - 1]!;
  const rows = classes === 0 ? 0 : x.size / classes;
  if (rows === 0) throw new ShapeError(op, [x.shape], 'the scores are empty; a loss needs at least one row and one class');
  checkClassIndices(op, labels, rows, classes, x.shape);
  const { probs, dx, dout = 1 } = opts;
  for (const [name, t] of [
    ['probs', probs],
    ['dx', dx],
  ] as const) {
    if (t && !sameShape(t.shape, x.shape)) {
      throw new ShapeError(op, [x.shape, t.shape], `${name} has shape ${formatShape(t.shape)} but must have the scores' shape ${formatShape(x.shape)}`);
    }
  }
  return softmaxCrossEntropyKernel.run({ x: x.data, rows, classes, labels, probs: probs?.data, dx: dx?.data, scale: dout / rows });
}

interface SoftmaxCrossEntropyCall {
  x: TypedArray;
  rows: number;
  classes: number;
  labels: Int32Array | readonly number[];
  probs: TypedArray | undefined;
  dx: TypedArray | undefined;
  /** dout / rows. */
  scale: number;
}

/** In WASM with JS-heap operands copied through scratch: an exp and a log per score are worth a copy. */
const softmaxCrossEntropyKernel = defineKernel<SoftmaxCrossEntropyCall, number>({
  name: 'softmaxCrossEntropy',
  placement: 'copy',
  minSize: WASM_MIN_SCORES,
  operands: { x: 'read', probs: 'write', dx: 'write' },
  size: (c) => c.x.length,
  // The labels as int32, and one row of exp(x − max) in float64.
  scratchBytes: (c) => scratchSize(4 * c.rows) + scratchSize(8 * c.classes),
  reference: (c) => softmaxCrossEntropyJs(c.x, c.rows, c.classes, c.labels, c.probs, c.dx, c.scale),
  wasm(K, at, { rows, classes, labels, scale }, rt) {
    const t = rt.scratch(4 * rows);
    const T = rt.i32;
    for (let r = 0; r < rows; r++) T[(t >> 2) + r] = labels[r]!;
    return K.softmaxCrossEntropy(at.x, rows, classes, t, at.probs, at.dx, scale, rt.scratch(8 * classes));
  },
});

function softmaxCrossEntropyJs(
  X: TypedArray,
  rows: number,
  classes: number,
  labels: Int32Array | readonly number[],
  P: TypedArray | undefined,
  D: TypedArray | undefined,
  scale: number,
): number {
  const e = expRow(classes);
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    const s = softmaxRow(X, base, classes, e, rowMax);
    const m = rowMax[0]!;
    const t = labels[r]!;
    // −log y[t] = log s + m − x[t]; read x[t] before dx (which may be x) is written.
    loss += Math.log(s) + m - X[base + t]!;
    if (P) for (let k = 0; k < classes; k++) P[base + k] = e[k]! / s;
    if (D) {
      for (let k = 0; k < classes; k++) {
        const y = e[k]! / s;
        D[base + k] = (k === t ? y - 1 : y) * scale;
      }
    }
  }
  return loss / rows;
}
