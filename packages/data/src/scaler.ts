import type { Tensor } from '@dlfs/tensor';

/** The scaler names `createScaler` and the CLI know. */
export type ScalerType = 'minmax' | '255' | 'none';

/** A scaler as saved in a model file. */
export type ScalerJson = { type: 'minmax'; min: number[]; max: number[] } | { type: '255' } | { type: 'none' };

/**
 * Rescales features. `fit` learns from the training rows only (pass the training split's
 * row indices, or a tensor of just those rows), so that validation and test data are scaled
 * with numbers they did not influence; `transform` then applies the same map to any data.
 */
export interface Scaler {
  readonly type: ScalerType;
  /** Learns the scaling from x's rows (only those listed in `rows`, when given); returns this. */
  fit(x: Tensor, rows?: ArrayLike<number>): this;
  /** The scaled values in `out` (which may be x itself), or in a new tensor of x's shape and dtype. */
  transform(x: Tensor, out?: Tensor): Tensor;
  toJSON(): ScalerJson;
}

/** A scaler that cannot be created, used or read back; `field` names the JSON field to blame, if one is. */
export class ScalerError extends Error {
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.name = 'ScalerError';
    this.field = field;
  }
}
