import type { Tensor } from '@dlfs/tensor';
import { checkMatrix, checkRows, outputFor } from './matrix-checks.js';
import { type Scaler, ScalerError, type ScalerJson } from './scaler.js';

/**
 * Per feature, x' = (x − min) / (max − min) with min and max from the fitted rows, like
 * scikit-learn's MinMaxScaler: the fitted rows land in [0, 1], other data may fall outside.
 * A constant feature (max = min) maps to 0; scikit-learn would give x − min, which for a
 * value the training data never had (a pixel always 0 in training, 255 at test time) is
 * an unscaled number.
 */
export class MinMaxScaler implements Scaler {
  readonly type = 'minmax';
  private lo: Float64Array | undefined;
  private hi: Float64Array | undefined;

  /** A fitted scaler from known per-feature minima and maxima, or an unfitted one. */
  constructor(fitted?: { min: ArrayLike<number>; max: ArrayLike<number> }) {
    if (fitted !== undefined) {
      if (fitted.min.length !== fitted.max.length) {
        throw new ScalerError(`MinMaxScaler: min has ${fitted.min.length} features but max has ${fitted.max.length}; give one of each per feature`);
      }
      this.lo = Float64Array.from(fitted.min);
      this.hi = Float64Array.from(fitted.max);
    }
  }

  /** Per-feature minima of the fitted rows (undefined before fit). */
  get min(): Float64Array | undefined {
    return this.lo;
  }

  /** Per-feature maxima of the fitted rows (undefined before fit). */
  get max(): Float64Array | undefined {
    return this.hi;
  }

  fit(x: Tensor, rows?: ArrayLike<number>): this {
    const n = checkMatrix('MinMaxScaler.fit', x);
    const f = x.shape[1]!;
    if (rows !== undefined) checkRows('MinMaxScaler.fit', rows, n);
    else if (n === 0) throw new RangeError('MinMaxScaler.fit: x has no rows; fit needs at least one');
    const count = rows?.length ?? n;
    const lo = new Float64Array(f).fill(Infinity);
    const hi = new Float64Array(f).fill(-Infinity);
    const X = x.data;
    for (let r = 0; r < count; r++) {
      const base = (rows === undefined ? r : rows[r]!) * f;
      for (let j = 0; j < f; j++) {
        const v = X[base + j]!;
        if (v < lo[j]!) lo[j] = v;
        if (v > hi[j]!) hi[j] = v;
      }
    }
    this.lo = lo;
    this.hi = hi;
    return this;
  }

  transform(x: Tensor, out?: Tensor): Tensor {
    const { lo, hi } = this.fitted('transform');
    const n = checkMatrix('MinMaxScaler.transform', x, lo.length);
    const y = outputFor('MinMaxScaler.transform', x, out);
    const f = lo.length;
    const range = new Float64Array(f);
    for (let j = 0; j < f; j++) range[j] = hi[j]! - lo[j]!;
    const X = x.data;
    const Y = y.data;
    for (let r = 0; r < n; r++) {
      const base = r * f;
      for (let j = 0; j < f; j++) {
        const d = range[j]!;
        Y[base + j] = d === 0 ? 0 : (X[base + j]! - lo[j]!) / d;
      }
    }
    return y;
  }

  toJSON(): ScalerJson {
    const { lo, hi } = this.fitted('toJSON');
    return { type: 'minmax', min: Array.from(lo), max: Array.from(hi) };
  }

  private fitted(op: string): { lo: Float64Array; hi: Float64Array } {
    if (this.lo === undefined || this.hi === undefined) {
      throw new ScalerError(`MinMaxScaler.${op}: the scaler is not fitted; call fit(xTrain) first`);
    }
    return { lo: this.lo, hi: this.hi };
  }
}
