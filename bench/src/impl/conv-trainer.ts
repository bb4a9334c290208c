import type { ConvParamKey } from '../conv-data.js';

/** One SimpleConvNet step on fixed rows from the shared initial weights, for checking that two implementations compute the same thing. */
export interface ConvCheckResult {
  /** The loss of the batch before the update. */
  loss0: number;
  /** The loss of the same batch after one Adam step. */
  loss1: number;
  /** Σ |∂L/∂p| of each parameter at the initial weights. */
  gradL1: Record<ConvParamKey, number>;
  /** √Σ (∂L/∂p)² of each parameter. */
  gradL2: Record<ConvParamKey, number>;
  /** Σ ∂L/∂p[i]·sin(i + 1) over each parameter in the book's layout (see projection in conv-data.ts). */
  gradProj: Record<ConvParamKey, number>;
}

/**
 * The largest difference between two checks: relative for the losses and every gradient's
 * norms; for the projections, relative to the reference gradient's L2 norm (a projection sums
 * terms of both signs, about √n·rms in size, so it may be near 0 where the gradient is not; a
 * permuted or negated gradient moves it by about its L2 norm).
 */
export function convCheckDifference(actual: ConvCheckResult, reference: ConvCheckResult): number {
  const rel = (a: number, b: number, scale = Math.abs(b)): number => (Number.isFinite(a) ? Math.abs(a - b) / Math.max(scale, 1e-12) : Number.POSITIVE_INFINITY);
  const keys = Object.keys(reference.gradL1) as ConvParamKey[];
  return Math.max(
    rel(actual.loss0, reference.loss0),
    rel(actual.loss1, reference.loss1),
    ...keys.map((k) => rel(actual.gradL1[k], reference.gradL1[k])),
    ...keys.map((k) => rel(actual.gradL2[k], reference.gradL2[k])),
    ...keys.map((k) => rel(actual.gradProj[k], reference.gradProj[k], reference.gradL2[k])),
  );
}

/** How far a float32 or float64 implementation may differ from the float64 reference and still compute the same step. */
export const CONV_CHECK_TOLERANCE = { float64: 1e-5, float32: 1e-3 } as const;

/**
 * One implementation of the SimpleConvNet training step, inside its own process: sample a
 * batch of 100 with replacement, gather it, forward, backward, Adam update.
 */
export interface ConvTrainer {
  /** Runs `iters` training steps and returns the last step's loss. */
  run(iters: number): number;
  /** One training step on the given rows (the weights change). */
  check(indices: Int32Array): ConvCheckResult;
  info(): Record<string, unknown>;
  dispose(): void;
}
