import { reuse, scaleInPlace, softmaxCrossEntropy, type Tensor } from '@dlfs/tensor';
import { type CheckedLabels, checkLabels, type Labels, subLabels } from './labels.js';
import type { LossLayer } from './loss-layer.js';
import { logSoftmax } from './log-softmax.js';
import { softmax } from './softmax.js';

/**
 * 5.6.3: softmax followed by the cross-entropy error, as one layer whose gradient is simply
 * (y − t) / N. Takes one-hot or class-index labels (each one-hot row summing to 1); a 1-D x
 * is one sample.
 *
 * The loss is −(1/N) Σ t · log softmax(x), computed in log space. It differs from the book's
 * crossEntropyError(softmax(x), t) by about 1e-7 / y_t per row: the book's 1e-7 guard makes
 * its loss slightly flatter than the one whose exact gradient is (y − t) / N, enough to fail
 * a gradient check at 1e-7 (the relative error would be about 1e-7 / 2y_t, and y_t ≤ 1).
 * Log space needs no guard: it is finite for any finite scores.
 */
export class SoftmaxWithLoss implements LossLayer {
  private probs: Tensor | undefined;
  private labels: CheckedLabels | undefined;
  private dx: Tensor | undefined;
  private logY: Tensor | undefined;
  /** dx already holds (y − t) / N for the last forward. */
  private dxFresh = false;

  /** The probabilities softmax(x) of the last forward (undefined before the first). */
  get y(): Tensor | undefined {
    return this.probs;
  }

  /** L = −(1/N) Σ t · log softmax(x); keeps y = softmax(x) and t (by reference) for backward. */
  forward(x: Tensor, t: Labels): number {
    const labels = checkLabels('SoftmaxWithLoss.forward', x, t);
    const y = reuse(this.probs, x.shape, x.dtype);
    this.probs = y;
    this.labels = labels;
    if (labels.kind === 'index') {
      // The fused kernel (WASM where available) also writes dx = (y − t) / N for backward(1).
      const dx = reuse(this.dx, x.shape, x.dtype);
      this.dx = dx;
      this.dxFresh = true;
      return softmaxCrossEntropy(x, labels.t, { probs: y, dx });
    }
    this.dxFresh = false;
    // One-hot (or soft) targets: y = softmax(x), and the loss from log softmax(x) (3.5.2),
    // which stays finite where y underflows to 0.
    softmax(x, y);
    const logY = reuse(this.logY, x.shape, x.dtype);
    this.logY = logY;
    logSoftmax(x, logY);
    const L = logY.data;
    const T = labels.t.data;
    let s = 0;
    for (let i = 0; i < T.length; i++) if (T[i] !== 0) s += T[i]! * L[i]!;
    return -s / labels.rows;
  }

  /** 5.6.3: dx = (y − t) / N · dout, in x's dtype. */
  backward(dout = 1): Tensor {
    if (!this.probs || !this.labels) {
      throw new Error('SoftmaxWithLoss.backward: call forward(x, t) first; backward uses the y and t that forward keeps');
    }
    const dx = reuse(this.dx, this.probs.shape, this.probs.dtype);
    this.dx = dx;
    if (this.dxFresh && dout === 1) return dx;
    subLabels(this.probs, this.labels, dx);
    scaleInPlace(dx, dout / this.labels.rows);
    this.dxFresh = dout === 1;
    return dx;
  }
}
