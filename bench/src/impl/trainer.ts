import type { ParamKey } from '../bench-data.js';

/** The chapter-5 training hyperparameters every implementation uses. */
export interface TrainConfig {
  batchSize: number;
  lr: number;
  /** Seeds each implementation's own batch sampler. */
  seed: number;
}

export const TRAIN_CONFIG: TrainConfig = { batchSize: 100, lr: 0.1, seed: 1 };

/** One step on fixed rows, for checking that two implementations compute the same thing. */
export interface CheckResult {
  /** The loss of the batch before the update. */
  loss0: number;
  /** The loss of the same batch after one SGD step. */
  loss1: number;
  /** Σ |∂L/∂p| of each parameter at the initial weights. */
  gradL1: Record<ParamKey, number>;
}

/**
 * One implementation of the chapter-5 training step, inside its own process: sample a batch
 * with replacement, gather it, forward, backward, SGD update.
 */
export interface Trainer {
  /** Runs `iters` training steps and returns the last step's loss (read once, at the end). */
  run(iters: number): number;
  /** One training step on the given rows (the weights change). */
  check(indices: Int32Array): CheckResult;
  /** What this implementation is running on (backend, kernel, ...). */
  info(): Record<string, unknown>;
  dispose(): void;
}

/** The largest relative difference between two checks: losses before and after the step, and every Σ|gradient|. */
export function checkDifference(actual: CheckResult, reference: CheckResult): number {
  const rel = (a: number, b: number): number => (Number.isFinite(a) ? Math.abs(a - b) / Math.max(Math.abs(b), 1e-12) : Number.POSITIVE_INFINITY);
  const keys = Object.keys(reference.gradL1) as (keyof CheckResult['gradL1'])[];
  return Math.max(rel(actual.loss0, reference.loss0), rel(actual.loss1, reference.loss1), ...keys.map((k) => rel(actual.gradL1[k], reference.gradL1[k])));
}

/** How far a float32 or float64 implementation may differ from the float64 reference and still compute the same step. */
export const CHECK_TOLERANCE = { float64: 1e-5, float32: 1e-3 } as const;
