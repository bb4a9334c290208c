import { tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { OptimizerConfigError } from './optimizer-config.js';
import { SGD, sgd } from './sgd.js';
import { runOnBookFunction, maxDeviation, stepSizes, yFlips } from './test-support/book-function.js';
import { bookTrajectories } from './test-support/book-trajectories.js';
import { itKeepsTheOptimizerContract } from './test-support/optimizer-contract.js';

describe('SGD', () => {
  it("has the book's default lr = 0.01", () => {
    const optimizer = new SGD();
    expect(optimizer.type).toBe('sgd');
    expect(optimizer.lr).toBe(0.01);
    // W = [1, −2], g = [0.5, −1]: W − 0.01·g = [1 − 0.005, −2 + 0.01] = [0.995, −1.99]
    const params = { W: tensor([1, -2]) };
    optimizer.update(params, { W: tensor([0.5, -1]) });
    expect(params.W.data[0]).toBeCloseTo(0.995, 15);
    expect(params.W.data[1]).toBeCloseTo(-1.99, 15);
  });

  it('steps W ← W − lr·g, by hand', () => {
    const optimizer = new SGD({ lr: 0.1 });
    const W = tensor([1, -2]);
    const b = tensor([[3]]);
    // W: [1, −2] − 0.1·[0.5, −1] = [0.95, −1.9]; b: 3 − 0.1·4 = 2.6
    optimizer.update({ W, b }, { W: tensor([0.5, -1]), b: tensor([[4]]) });
    expect(W.data[0]).toBeCloseTo(0.95, 15);
    expect(W.data[1]).toBeCloseTo(-1.9, 15);
    expect(b.data[0]).toBeCloseTo(2.6, 15);
    // a second step keeps no memory of the first: [0.95, −1.9] − 0.1·[1, 2] = [0.85, −2.1]
    optimizer.update({ W }, { W: tensor([1, 2]) });
    expect(W.data[0]).toBeCloseTo(0.85, 15);
    expect(W.data[1]).toBeCloseTo(-2.1, 15);
  });

  it("follows the NumPy run of the book's SGD(lr=0.95) on f(x, y) = x²/20 + y² to 1e-12", () => {
    // Oracle: scripts/book_optimizers.py, the book's optimizer classes in NumPy (test-support/book-trajectories.ts).
    expect(maxDeviation(runOnBookFunction(new SGD({ lr: 0.95 })), bookTrajectories.sgd)).toBeLessThan(1e-12);
  });

  it('zig-zags across the valley and crawls along it, as in figure 6-3', () => {
    const path = runOnBookFunction(new SGD({ lr: 0.95 }));
    // y ← y − 0.95·2y = −0.9·y: every step flips the sign of y
    expect(yFlips(path)).toBe(30);
    const dx = stepSizes(path, 0);
    const dy = stepSizes(path, 1);
    dy.forEach((d, k) => expect(d, `step ${k + 1}`).toBeGreaterThan(dx[k]!));
    // x ← x − 0.95·x/10 = 0.905·x: after 30 steps x is still −7·0.905³⁰ ≈ −0.35, never past the minimum
    for (const [x] of path) expect(x).toBeLessThan(0);
    expect(path[30]![0]).toBeCloseTo(-7 * 0.905 ** 30, 12);
    expect(Math.abs(path[30]![0])).toBeGreaterThan(0.3);
  });

  describe('def', () => {
    it('validates a config, filling in the default', () => {
      expect(sgd.type).toBe('sgd');
      expect(sgd.validate({})).toEqual({ lr: 0.01 });
      expect(sgd.validate(undefined)).toEqual({ lr: 0.01 });
      expect(sgd.validate({ lr: 0.95 })).toEqual({ lr: 0.95 });
      expect(Object.keys(sgd.configFields)).toEqual(['lr']);
      expect(sgd.configFields.lr).toMatch(/default 0\.01/);
    });

    it('refuses a bad lr, unknown keys and non-objects with an OptimizerConfigError naming the field', () => {
      expect(() => sgd.validate({ lr: 'fast' })).toThrow(OptimizerConfigError);
      expect(() => sgd.validate({ lr: 'fast' })).toThrow('sgd: "lr" must be a number > 0, got "fast"');
      expect(() => sgd.validate({ lr: -0.1 })).toThrow('sgd: "lr" must be a number > 0, got -0.1');
      expect(() => sgd.validate({ lr: 0 })).toThrow('sgd: "lr" must be a number > 0, got 0');
      expect(() => sgd.validate({ lr: Number.NaN })).toThrow('got NaN');
      expect(() => sgd.validate({ learningRate: 0.1 })).toThrow('sgd: unknown config key "learningRate"; known keys: lr');
      expect(() => sgd.validate(0.1)).toThrow('sgd: config must be an object such as { "lr": 0.01 }, got 0.1');
    });

    it('creates an SGD, checking the config again', () => {
      const optimizer = sgd.create({ lr: 0.5 });
      expect(optimizer).toBeInstanceOf(SGD);
      expect((optimizer as SGD).lr).toBe(0.5);
      expect(() => sgd.create({ lr: -1 })).toThrow('sgd: "lr" must be a number > 0, got -1');
      expect(() => new SGD({ lr: Infinity })).toThrow('sgd: "lr" must be a number > 0, got Infinity');
    });
  });

  describe('update contract', () => {
    itKeepsTheOptimizerContract({ make: () => new SGD({ lr: 0.1 }), state: () => ({}) });
  });
});
