import { describe, expect, it } from 'vitest';
import { BOOK_STEPS, endDistance, optimizerPath, PATH_OPTIMIZERS } from './optimizer-paths.js';

// The 30th position of each path, from the book's common/optimizer.py in NumPy (packages/optimizers' book-trajectories.ts).
const BOOK_ENDS: Record<string, [number, number]> = {
  sgd: [-0.3503929957523197, 0.0847823165504322],
  momentum: [0.896413858493733, 0.08808560171506971],
  nesterov: [0.5263905077412623, 0.0002258201570808063],
  adagrad: [-0.12016232231416045, 2.486389893984459e-17],
  rmsprop: [-5.351327040428192e-6, 1.5085100037516103e-11],
  adam: [0.13600685239498186, 0.31824537553721943],
};

describe('optimizerPath', () => {
  it('takes the book’s 30 steps of every optimizer to the book’s end points', () => {
    for (const o of PATH_OPTIMIZERS) {
      const path = optimizerPath(o.type, o.lr, BOOK_STEPS);
      expect(path).toHaveLength(2 * (BOOK_STEPS + 1));
      expect([path[0], path[1]]).toEqual([-7, 2]);
      const [x, y] = BOOK_ENDS[o.type]!;
      expect(path[2 * BOOK_STEPS]).toBeCloseTo(x, 9);
      expect(path[2 * BOOK_STEPS + 1]).toBeCloseTo(y, 9);
    }
  });

  it('follows the learning rate: SGD with a small one is still far from the minimum', () => {
    expect(endDistance(optimizerPath('sgd', 0.1, 30))).toBeGreaterThan(endDistance(optimizerPath('sgd', 0.95, 30)));
    expect(endDistance(optimizerPath('adam', 0.3, 0))).toBeCloseTo(Math.hypot(7, 2), 12);
  });
});
