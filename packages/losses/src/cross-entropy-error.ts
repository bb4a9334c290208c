import type { Tensor } from '@dlfs/tensor';
import { checkLabels, type Labels } from './labels.js';

/** 4.2.4: keeps log away from log(0) = −∞ when a probability is exactly zero. */
const DELTA = 1e-7;

/**
 * 4.2.4: E = −(1/N) Σ_n Σ_k t_nk · log(y_nk + 1e-7), the batch mean of the cross-entropy
 * between probabilities y and labels t. With class indices only the true class counts:
 * E = −(1/N) Σ_n log(y_n,t_n + 1e-7). A 1-D y is one sample (N = 1).
 */
export function crossEntropyError(y: Tensor, t: Labels): number {
  const labels = checkLabels('crossEntropyError', y, t);
  const { rows, classes } = labels;
  const Y = y.data;
  let s = 0;
  if (labels.kind === 'one-hot') {
    const T = labels.t.data;
    for (let i = 0; i < Y.length; i++) s += T[i]! * Math.log(Y[i]! + DELTA);
  } else {
    for (let i = 0; i < rows; i++) s += Math.log(Y[i * classes + labels.t[i]!]! + DELTA);
  }
  return -s / rows;
}
