import type { Tensor } from '@dlfs/tensor';

/** Minimum, maximum and mean over every value of a tensor. */
export interface FeatureStats {
  min: number;
  max: number;
  mean: number;
}

/**
 * The range and mean of all of x's values (summed in float64), for a quick look at the
 * inputs: a max of 255 says the pixels were not scaled, which slows training or makes it
 * diverge.
 */
export function featureStats(x: Tensor): FeatureStats {
  if (x.size === 0) throw new RangeError(`featureStats: x ${x.toString()} has no values`);
  const X = x.data;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < X.length; i++) {
    const v = X[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min, max, mean: sum / X.length };
}
