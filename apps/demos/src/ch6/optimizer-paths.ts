import { builtinOptimizers } from '@dlfs/optimizers';
import { tensor } from '@dlfs/tensor';

/** f(x, y) = x²/20 + y², the function of figure 6-8: a long, shallow valley along x with its minimum at (0, 0). */
export const bowl = (x: number, y: number): number => (x * x) / 20 + y * y;

/** The start of every path in the book: (−7, 2). */
export const PATH_START = [-7, 2] as const;

/** The optimizers of section 6.1 in the book's order, with the learning rates of optimizer_compare_naive.py. */
export const PATH_OPTIMIZERS = [
  { type: 'sgd', label: 'SGD', lr: 0.95, shown: true },
  { type: 'momentum', label: 'Momentum', lr: 0.1, shown: true },
  { type: 'adagrad', label: 'AdaGrad', lr: 1.5, shown: true },
  { type: 'adam', label: 'Adam', lr: 0.3, shown: true },
  { type: 'rmsprop', label: 'RMSprop', lr: 0.3, shown: false },
  { type: 'nesterov', label: 'Nesterov', lr: 0.1, shown: false },
] as const;

/** The book's 30 updates. */
export const BOOK_STEPS = 30;

/**
 * The path of one optimizer on f from (−7, 2): `steps` updates by @dlfs/optimizers' own class
 * (`builtinOptimizers().create(type, { lr })`) on params { x, y } with the analytic gradient
 * ∂f/∂x = x/10, ∂f/∂y = 2y, as the book's optimizer_compare_naive.py does. Returns the start
 * and every position after it as [x0, y0, x1, y1, ...].
 */
export function optimizerPath(type: string, lr: number, steps: number, start: readonly [number, number] = PATH_START): Float64Array {
  const optimizer = builtinOptimizers().create(type, { lr });
  const params = { x: tensor([start[0]]), y: tensor([start[1]]) };
  const grads = { x: tensor([0]), y: tensor([0]) };
  const out = new Float64Array(2 * (steps + 1));
  out[0] = start[0];
  out[1] = start[1];
  for (let i = 1; i <= steps; i++) {
    grads.x.data[0] = params.x.data[0]! / 10;
    grads.y.data[0] = 2 * params.y.data[0]!;
    optimizer.update(params, grads);
    out[2 * i] = params.x.data[0]!;
    out[2 * i + 1] = params.y.data[0]!;
  }
  return out;
}

/** Distance of a path's last point from the minimum (0, 0). */
export function endDistance(path: Float64Array): number {
  const n = path.length;
  return Math.hypot(path[n - 2]!, path[n - 1]!);
}
