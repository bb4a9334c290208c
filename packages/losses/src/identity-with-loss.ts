import { scaleInPlace, type Tensor } from '@dlfs/tensor';
import { checkLabels, type Labels, subLabels } from './labels.js';
import type { LossLayer } from './loss-layer.js';

/**
 * The identity output with the mean squared error (4.2.1) as one loss layer, for regression:
 * L = ½ Σ (x − t)², not divided by the batch, so dx = (x − t) · dout.
 */
export class IdentityWithLoss implements LossLayer {
  private residual: Tensor | undefined;

  /** L = meanSquaredError(x, t); keeps x − t for backward. */
  forward(x: Tensor, t: Labels): number {
    const r = subLabels(x, checkLabels('IdentityWithLoss.forward', x, t));
    this.residual = r;
    let s = 0;
    for (let i = 0; i < r.size; i++) s += r.data[i]! * r.data[i]!;
    return 0.5 * s;
  }

  /** dx = (x − t) · dout, in x's dtype. */
  backward(dout = 1): Tensor {
    if (!this.residual) {
      throw new Error('IdentityWithLoss.backward: call forward(x, t) first; backward uses the x − t that forward keeps');
    }
    return scaleInPlace(this.residual.clone(), dout);
  }
}
