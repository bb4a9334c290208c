import type { Tensor } from '@dlfs/tensor';
import { checkLabels, type Labels } from './labels.js';

/**
 * 4.2.1: E = ½ Σ (y − t)², summed over every element. As in the book it is NOT divided by the
 * batch size, so a batch of N samples gives N times the loss of one (IdentityWithLoss's
 * gradient, dx = y − t, matches this). Class indices count as their one-hot rows.
 */
export function meanSquaredError(y: Tensor, t: Labels): number {
  const labels = checkLabels('meanSquaredError', y, t);
  const Y = y.data;
  let s = 0;
  if (labels.kind === 'one-hot') {
    const T = labels.t.data;
    for (let i = 0; i < Y.length; i++) {
      const d = Y[i]! - T[i]!;
      s += d * d;
    }
  } else {
    const { rows, classes } = labels;
    for (let i = 0; i < rows; i++) {
      const hot = labels.t[i]!;
      for (let k = 0; k < classes; k++) {
        const d = Y[i * classes + k]! - (k === hot ? 1 : 0);
        s += d * d;
      }
    }
  }
  return 0.5 * s;
}
