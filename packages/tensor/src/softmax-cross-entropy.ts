import { wasmRuntime } from './backend.js';
import { formatShape, ShapeError, sameShape } from './shape.js';
import type { Tensor, TypedArray } from './tensor.js';
import type { WasmRuntime } from './wasm/runtime.js';

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

let expScratch = new Float64Array(0);

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
  if (labels.length !== rows) {
    throw new ShapeError(op, [x.shape, [labels.length]], `${labels.length} class indices for ${rows} rows of scores ${formatShape(x.shape)}: give one index per row`);
  }
  for (let r = 0; r < rows; r++) {
    const t = labels[r]!;
    if (!Number.isInteger(t) || t < 0 || t >= classes) throw new RangeError(`${op}: label ${t} at row ${r} is outside 0..${classes - 1}`);
  }
  const { probs, dx, dout = 1 } = opts;
  for (const [name, t] of [['probs', probs], ['dx', dx]] as const) {
    if (t && !sameShape(t.shape, x.shape)) {
      throw new ShapeError(op, [x.shape, t.shape], `${name} has shape ${formatShape(t.shape)} but must have the scores' shape ${formatShape(x.shape)}`);
    }
  }
  const scale = dout / rows;
  if (x.size >= WASM_MIN_SCORES && x.data instanceof Float32Array && (!probs || probs.data instanceof Float32Array) && (!dx || dx.data instanceof Float32Array)) {
    const rt = wasmRuntime();
    if (rt !== undefined) {
      const loss = softmaxCrossEntropyWasm(rt, x.data, rows, classes, labels, probs?.data as Float32Array | undefined, dx?.data as Float32Array | undefined, scale);
      if (loss !== undefined) return loss;
    }
  }
  return softmaxCrossEntropyJs(x.data, rows, classes, labels, probs?.data, dx?.data, scale);
}

function softmaxCrossEntropyJs(
  X: TypedArray,
  rows: number,
  classes: number,
  labels: Int32Array | readonly number[],
  P: TypedArray | undefined,
  D: TypedArray | undefined,
  scale: number,
): number {
  if (expScratch.length < classes) expScratch = new Float64Array(classes);
  const e = expScratch;
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    let m = -Infinity;
    for (let k = 0; k < classes; k++) if (X[base + k]! > m) m = X[base + k]!;
    let s = 0;
    for (let k = 0; k < classes; k++) {
      e[k] = Math.exp(X[base + k]! - m);
      s += e[k]!;
    }
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

function softmaxCrossEntropyWasm(
  rt: WasmRuntime,
  X: Float32Array,
  rows: number,
  classes: number,
  labels: Int32Array | readonly number[],
  P: Float32Array | undefined,
  D: Float32Array | undefined,
  scale: number,
): number | undefined {
  const mark = rt.mark();
  try {
    const x = rt.input(X);
    const t = x < 0 ? -1 : rt.scratch(4 * rows);
    const e = t < 0 ? -1 : rt.scratch(8 * classes);
    const p = e < 0 || !P ? 0 : rt.outputAt(P);
    const d = e < 0 || !D ? 0 : rt.outputAt(D);
    if (e < 0 || p < 0 || d < 0) return undefined;
    const T = rt.i32;
    for (let r = 0; r < rows; r++) T[(t >> 2) + r] = labels[r]!;
    const loss = rt.kernels.softmaxCrossEntropy(x, rows, classes, t, p, d, scale, e);
    if (P) rt.output(P, p);
    if (D) rt.output(D, d);
    return loss;
  } finally {
    rt.release(mark);
  }
}
