import type { Tensor } from '@dlfs/tensor';
import { checkMatrix, outputFor } from './matrix-checks.js';
import type { Scaler, ScalerJson } from './scaler.js';

/** x' = x / 255: 8-bit pixel values to [0, 1], the book's `normalize=True` for MNIST. Nothing to fit. */
export class Divide255Scaler implements Scaler {
  readonly type = '255';

  fit(x: Tensor): this {
    checkMatrix('Divide255Scaler.fit', x);
    return this;
  }

  transform(x: Tensor, out?: Tensor): Tensor {
    checkMatrix('Divide255Scaler.transform', x);
    const y = outputFor('Divide255Scaler.transform', x, out);
    const X = x.data;
    const Y = y.data;
    // A division, not a product with 1/255, so float32 results equal NumPy's x / 255 bit for bit.
    for (let i = 0; i < X.length; i++) Y[i] = X[i]! / 255;
    return y;
  }

  toJSON(): ScalerJson {
    return { type: '255' };
  }
}
