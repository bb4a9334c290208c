import { allocate, Tensor } from '@dlfs/tensor';

export interface NumericalGradientOptions {
  /** The finite step; the book's 1e-4. */
  h?: number;
}

export function requireFloat64(op: string, x: Tensor): void {
  if (x.dtype !== 'float64') {
    throw new TypeError(`${op}: x is ${x.dtype}; finite differences with h = 1e-4 need float64 (use x.astype('float64'))`);
  }
}

/**
 * 4.4: the central difference ∂f/∂xᵢ ≈ (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h for every entry of x.
 * x is perturbed in place, one entry at a time, and restored exactly before returning.
 */
export function numericalGradient(f: (x: Tensor) => number, x: Tensor, opts: NumericalGradientOptions = {}): Tensor {
  requireFloat64('numericalGradient', x);
  const h = opts.h ?? 1e-4;
  const grad = new Tensor(allocate('float64', x.size), x.shape);
  const X = x.data;
  for (let i = 0; i < X.length; i++) {
    const v = X[i]!;
    X[i] = v + h;
    const fp = f(x);
    X[i] = v - h;
    const fm = f(x);
    X[i] = v;
    grad.data[i] = (fp - fm) / (2 * h);
  }
  return grad;
}
