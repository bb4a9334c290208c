import { tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { Momentum, momentum } from './momentum.js';
import { runOnBookFunction, maxDeviation, stepSizes, yFlips } from './test-support/book-function.js';
import { bookTrajectories } from './test-support/book-trajectories.js';
import { itKeepsTheOptimizerContract } from './test-support/optimizer-contract.js';

describe('Momentum', () => {
  it("has the book's defaults lr = 0.01, momentum = 0.9", () => {
    const optimizer = new Momentum();
    expect(optimizer.type).toBe('momentum');
    expect([optimizer.lr, optimizer.momentum]).toEqual([0.01, 0.9]);
    expect(optimizer.v.size).toBe(0);
  });

  it('steps v ← α·v − lr·g; W ← W + v, by hand over two updates', () => {
    const optimizer = new Momentum({ lr: 0.1, momentum: 0.9 });
    const W = tensor([1, -2]);
    // v = 0.9·0 − 0.1·[0.5, −1] = [−0.05, 0.1]; W = [1, −2] + v = [0.95, −1.9]
    optimizer.update({ W }, { W: tensor([0.5, -1]) });
    expect(optimizer.v.get('W')!.data[0]).toBeCloseTo(-0.05, 15);
    expect(optimizer.v.get('W')!.data[1]).toBeCloseTo(0.1, 15);
    expect(W.data[0]).toBeCloseTo(0.95, 15);
    expect(W.data[1]).toBeCloseTo(-1.9, 15);
    // v = 0.9·[−0.05, 0.1] − 0.1·[1, 2] = [−0.045 − 0.1, 0.09 − 0.2] = [−0.145, −0.11]
    // W = [0.95 − 0.145, −1.9 − 0.11] = [0.805, −2.01]
    optimizer.update({ W }, { W: tensor([1, 2]) });
    expect(optimizer.v.get('W')!.data[0]).toBeCloseTo(-0.145, 15);
    expect(optimizer.v.get('W')!.data[1]).toBeCloseTo(-0.11, 15);
    expect(W.data[0]).toBeCloseTo(0.805, 15);
    expect(W.data[1]).toBeCloseTo(-2.01, 15);
  });

  it('with the default lr = 0.01, momentum = 0.9, by hand', () => {
    const optimizer = new Momentum();
    const W = tensor([1]);
    // v = −0.01·2 = −0.02, W = 0.98; then v = 0.9·(−0.02) − 0.01·2 = −0.038, W = 0.98 − 0.038 = 0.942
    optimizer.update({ W }, { W: tensor([2]) });
    optimizer.update({ W }, { W: tensor([2]) });
    expect(W.data[0]).toBeCloseTo(0.942, 15);
  });

  it("follows the NumPy run of the book's Momentum(lr=0.1) on f(x, y) = x²/20 + y² to 1e-12", () => {
    // Oracle: scripts/book_optimizers.py, the book's optimizer classes in NumPy (test-support/book-trajectories.ts).
    expect(maxDeviation(runOnBookFunction(new Momentum({ lr: 0.1 })), bookTrajectories.momentum)).toBeLessThan(1e-12);
  });

  it('rolls like a ball in a bowl, as in figure 6-5: gathers speed along x, swings less in y', () => {
    const path = runOnBookFunction(new Momentum({ lr: 0.1 }));
    // The x gradient is small but always points the same way, so the x steps grow (SGD's shrink).
    const dx = stepSizes(path, 0);
    for (let k = 1; k < 10; k++) expect(dx[k], `step ${k + 1}`).toBeGreaterThan(dx[k - 1]!);
    // It reaches the minimum's x within 30 steps (the 24th) and overshoots it.
    expect(path.findIndex(([x]) => x > 0)).toBe(24);
    // The y gradient flips sign, so the y velocities cancel: 4 sign changes of y in 30 steps.
    expect(yFlips(path)).toBe(4);
  });

  describe('def', () => {
    it('validates a config, filling in the defaults', () => {
      expect(momentum.type).toBe('momentum');
      expect(momentum.validate({})).toEqual({ lr: 0.01, momentum: 0.9 });
      expect(momentum.validate({ lr: 0.1, momentum: 0 })).toEqual({ lr: 0.1, momentum: 0 });
      expect(Object.keys(momentum.configFields)).toEqual(['lr', 'momentum']);
      expect(momentum.configFields.momentum).toMatch(/default 0\.9/);
    });

    it('refuses a bad lr or momentum, naming the field', () => {
      expect(() => momentum.validate({ lr: '0.1' })).toThrow('momentum: "lr" must be a number > 0, got "0.1"');
      expect(() => momentum.validate({ momentum: 1 })).toThrow('momentum: "momentum" must be a number >= 0 and < 1, got 1');
      expect(() => momentum.validate({ momentum: -0.5 })).toThrow('momentum: "momentum" must be a number >= 0 and < 1, got -0.5');
      expect(() => momentum.validate({ lr: 0.1, beta: 0.9 })).toThrow('momentum: unknown config key "beta"; known keys: lr, momentum');
    });

    it('creates a Momentum, checking the config again', () => {
      const optimizer = momentum.create({ lr: 0.1 }) as Momentum;
      expect(optimizer).toBeInstanceOf(Momentum);
      expect([optimizer.lr, optimizer.momentum]).toEqual([0.1, 0.9]);
      expect(() => momentum.create({ momentum: 2 })).toThrow(/"momentum" must be/);
    });
  });

  describe('update contract', () => {
    itKeepsTheOptimizerContract({ make: () => new Momentum({ lr: 0.1 }), state: (o) => ({ v: o.v }) });
  });
});
