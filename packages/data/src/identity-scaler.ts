import type { Tensor } from '@dlfs/tensor';
import { checkMatrix, outputFor } from './matrix-checks.js';
import type { Scaler, ScalerJson } from './scaler.js';

/** x' = x: no scaling, for data that is scaled already. */
export class IdentityScaler implements Scaler {
  readonly type = 'none';

  fit(x: Tensor): this {
    checkMatrix('IdentityScaler.fit', x);
    return this;
  }

  transform(x: Tensor, out?: Tensor): Tensor {
    checkMatrix('IdentityScaler.transform', x);
    const y = outputFor('IdentityScaler.transform', x, out);
    if (y !== x) y.data.set(x.data);
    return y;
  }

  toJSON(): ScalerJson {
    return { type: 'none' };
  }
}
