import { tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { AdaGrad } from './adagrad.js';
import type { Optimizer } from './optimizer.js';
import { RMSprop, rmsprop } from './rmsprop.js';
import { distanceToOrigin, maxDeviation, runOnBookFunction } from './test-support/book-function.js';
import { bookTrajectories } from './test-support/book-trajectories.js';
import { itKeepsTheOptimizerContract } from './test-support/optimizer-contract.js';

describe('RMSprop', () => {
  it("has the book's defaults lr = 0.01, decay rate = 0.99", () => {
    const optimizer = new RMSprop();
    expect(optimizer.type).toBe('rmsprop');
    expect([optimizer.lr, optimizer.decayRate]).toEqual([0.01, 0.99]);
    const W = tensor([1]);
    // g = 2: h = 0.01·4 = 0.04, √h = 0.2; W = 1 − 0.02 / 0.2000001 = 1 − 0.099999950000025 = 0.900000049999975
    optimizer.update({ W }, { W: tensor([2]) });
    expect(W.data[0]).toBeCloseTo(0.900000049999975, 14);
  });

  it('steps h ← ρ·h + (1 − ρ)·g²; W ← W − lr·g / (√h + 1e−7), by hand over two updates', () => {
    const optimizer = new RMSprop({ lr: 0.1, decayRate: 0.99 });
    const W = tensor([1, -2]);
    // g = [0.5, −1]: h = 0.01·[0.25, 1] = [0.0025, 0.01], √h = [0.05, 0.1]
    // W = [1 − 0.05 / 0.0500001, −2 + 0.1 / 0.1000001] = [1 − 0.999998000004, −2 + 0.999999000001]
    //   = [0.000001999996, −1.000000999999]
    optimizer.update({ W }, { W: tensor([0.5, -1]) });
    expect(optimizer.h.get('W')!.data[0]).toBeCloseTo(0.0025, 15);
    expect(optimizer.h.get('W')!.data[1]).toBeCloseTo(0.01, 15);
    expect(W.data[0]).toBeCloseTo(0.000001999996, 14);
    expect(W.data[1]).toBeCloseTo(-1.000000999999, 14);
    // g = [1, 2]: h = 0.99·[0.0025, 0.01] + 0.01·[1, 4] = [0.012475, 0.0499], √h = [0.111691539518443, 0.223383079036887]
    // W = [0.000001999996 − 0.1 / 0.111691639518443, −1.000000999999 − 0.2 / 0.223383179036887]
    //   = [0.000001999996 − 0.895322160469202, −1.000000999999 − 0.895322561270268]
    //   = [−0.895320160473202, −1.895323561269267]
    optimizer.update({ W }, { W: tensor([1, 2]) });
    expect(optimizer.h.get('W')!.data[0]).toBeCloseTo(0.012475, 15);
    expect(optimizer.h.get('W')!.data[1]).toBeCloseTo(0.0499, 15);
    expect(W.data[0]).toBeCloseTo(-0.895320160473202, 14);
    expect(W.data[1]).toBeCloseTo(-1.895323561269267, 14);
  });

  it("follows the NumPy run of the book's RMSprop(lr=0.3) on f(x, y) = x²/20 + y² to 1e-12", () => {
    // Oracle: scripts/book_optimizers.py, the book's optimizer classes in NumPy (test-support/book-trajectories.ts).
    expect(maxDeviation(runOnBookFunction(new RMSprop({ lr: 0.3 })), bookTrajectories.rmsprop)).toBeLessThan(1e-12);
  });

  it("unlike AdaGrad's sum, its moving average keeps the step from dying out", () => {
    // The same gradient g = 1 at every step. AdaGrad: h_t = t, so step t is lr / (√t + 1e−7).
    // RMSprop with ρ = 0.9: h_t = 0.9·h_{t−1} + 0.1 = 1 − 0.9ᵗ, so step t is lr / (√(1 − 0.9ᵗ) + 1e−7) → lr.
    const lastStep = (optimizer: Optimizer): number => {
      const W = tensor([0]);
      const g = { W: tensor([1]) };
      for (let t = 1; t < 50; t++) optimizer.update({ W }, g);
      const before = W.data[0]!;
      optimizer.update({ W }, g);
      return before - W.data[0]!;
    };
    expect(lastStep(new AdaGrad({ lr: 0.1 }))).toBeCloseTo(0.1 / (Math.sqrt(50) + 1e-7), 14);
    expect(lastStep(new RMSprop({ lr: 0.1, decayRate: 0.9 }))).toBeCloseTo(0.1 / (Math.sqrt(1 - 0.9 ** 50) + 1e-7), 14);
    // On the book's f it homes in on the origin within 30 steps at lr = 0.3
    expect(distanceToOrigin(runOnBookFunction(new RMSprop({ lr: 0.3 }))[30]!)).toBeLessThan(1e-4);
  });

  describe('def', () => {
    it('validates a config, filling in the defaults', () => {
      expect(rmsprop.type).toBe('rmsprop');
      expect(rmsprop.validate({})).toEqual({ lr: 0.01, decayRate: 0.99 });
      expect(rmsprop.validate({ decayRate: 0.9 })).toEqual({ lr: 0.01, decayRate: 0.9 });
      expect(Object.keys(rmsprop.configFields)).toEqual(['lr', 'decayRate']);
      expect(rmsprop.configFields.decayRate).toMatch(/default 0\.99/);
    });

    it("refuses a bad lr or decay rate, and points a book reader's decay_rate to decayRate", () => {
      expect(() => rmsprop.validate({ lr: 'fast' })).toThrow('rmsprop: "lr" must be a number > 0, got "fast"');
      expect(() => rmsprop.validate({ decayRate: 1.01 })).toThrow('rmsprop: "decayRate" must be a number >= 0 and < 1, got 1.01');
      expect(() => rmsprop.validate({ decay_rate: 0.9 })).toThrow('rmsprop: unknown config key "decay_rate"; known keys: lr, decayRate');
    });

    it('creates an RMSprop, checking the config again', () => {
      expect(rmsprop.create({ decayRate: 0 })).toBeInstanceOf(RMSprop);
      expect(() => rmsprop.create({ decayRate: 1 })).toThrow(/"decayRate" must be/);
    });
  });

  describe('update contract', () => {
    itKeepsTheOptimizerContract({ make: () => new RMSprop({ lr: 0.1 }), state: (o) => ({ h: o.h }) });
  });
});
