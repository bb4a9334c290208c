import { tensor } from '@dlfs/tensor';
import type { Optimizer } from '../optimizer.js';
import { bookStart } from './book-trajectories.js';

export type Point = readonly [x: number, y: number];

/**
 * The book's comparison (6.1.7, ch06/optimizer_compare_naive.py): minimise f(x, y) = x²/20 + y²
 * from (−7, 2), with ∂f/∂x = x/10 and ∂f/∂y = 2y, as params "x" and "y" like the book's dict.
 * Returns the start and the position after each update. The same param and grad tensors are
 * used throughout, as a trainer would.
 */
export function runOnBookFunction(optimizer: Optimizer, steps = 30): Point[] {
  const params = { x: tensor([bookStart[0]]), y: tensor([bookStart[1]]) };
  const grads = { x: tensor([0]), y: tensor([0]) };
  const position = (): Point => [params.x.data[0]!, params.y.data[0]!];
  const path = [position()];
  for (let i = 0; i < steps; i++) {
    grads.x.data[0] = params.x.data[0]! / 10;
    grads.y.data[0] = 2 * params.y.data[0]!;
    optimizer.update(params, grads);
    path.push(position());
  }
  return path;
}

/** Largest |a − b| over every coordinate of two paths of the same length. */
export function maxDeviation(a: readonly Point[], b: readonly Point[]): number {
  if (a.length !== b.length) throw new Error(`paths of ${a.length} and ${b.length} points`);
  let worst = 0;
  a.forEach(([x, y], i) => {
    const [bx, by] = b[i]!;
    worst = Math.max(worst, Math.abs(x - bx), Math.abs(y - by));
  });
  return worst;
}

export const distanceToOrigin = ([x, y]: Point): number => Math.hypot(x, y);

/** How many of the steps flip the sign of y: a step across the valley's floor. */
export function yFlips(path: readonly Point[]): number {
  let flips = 0;
  for (let i = 1; i < path.length; i++) if (Math.sign(path[i]![1]) !== Math.sign(path[i - 1]![1])) flips++;
  return flips;
}

/** |x_{k+1} − x_k| (axis 0) or |y_{k+1} − y_k| (axis 1) for every step. */
export function stepSizes(path: readonly Point[], axis: 0 | 1): number[] {
  return path.slice(1).map((p, i) => Math.abs(p[axis] - path[i]![axis]));
}
