import type { Tensor } from '@dlfs/tensor';
import type { Labels } from './labels.js';

/**
 * The last layer of a network (5.6.3): forward turns scores and labels into the scalar loss
 * and caches what backward needs; backward returns dL/dx scaled by `dout` (1 by default).
 */
export interface LossLayer {
  forward(x: Tensor, t: Labels): number;
  backward(dout?: number): Tensor;
}
