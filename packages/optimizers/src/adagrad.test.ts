import { tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { AdaGrad, adagrad } from './adagrad.js';
import { maxDeviation, runOnBookFunction, stepSizes, yFlips } from './test-support/book-function.js';
import { bookTrajectories } from './test-support/book-trajectories.js';
import { itKeepsTheOptimizerContract } from './test-support/optimizer-contract.js';

describe('AdaGrad', () => {
  it("has the book's default lr = 0.01", () => {
    const optimizer = new AdaGrad();
    expect(optimizer.type).toBe('adagrad');
    expect(optimizer.lr).toBe(0.01);
    const W = tensor([1]);
    // g = 2: h = 4; W = 1 − 0.01·2 / (2 + 1e−7) = 1 − 0.0099999995 = 0.9900000005
    optimizer.update({ W }, { W: tensor([2]) });
    expect(W.data[0]).toBeCloseTo(0.9900000005, 15);
  });

  it('steps h ← h + g²; W ← W − lr·g / (√h + 1e−7), by hand over two updates', () => {
    const optimizer = new AdaGrad({ lr: 0.1 });
    const W = tensor([1, -2]);
    // g = [0.5, −1]: h = [0.25, 1], √h = [0.5, 1]
    // W = [1 − 0.05 / 0.5000001, −2 + 0.1 / 1.0000001] = [0.900000019999996, −1.900000009999999]
    optimizer.update({ W }, { W: tensor([0.5, -1]) });
    expect([...optimizer.h.get('W')!.data]).toEqual([0.25, 1]);
    expect(W.data[0]).toBeCloseTo(0.900000019999996, 14);
    expect(W.data[1]).toBeCloseTo(-1.900000009999999, 14);
    // g = [1, 2]: h = [1.25, 5], √h = [1.118033988749895, 2.236067977499790]
    // W = [0.900000019999996 − 0.1 / 1.118034088749895, −1.900000009999999 − 0.2 / 2.236068077499790]
    //   = [0.900000019999996 − 0.089442711099992, −1.900000009999999 − 0.089442715099992]
    //   = [0.810557308900004, −1.989442725099991]
    optimizer.update({ W }, { W: tensor([1, 2]) });
    expect([...optimizer.h.get('W')!.data]).toEqual([1.25, 5]);
    expect(W.data[0]).toBeCloseTo(0.810557308900004, 14);
    expect(W.data[1]).toBeCloseTo(-1.989442725099991, 14);
  });

  it("follows the NumPy run of the book's AdaGrad(lr=1.5) on f(x, y) = x²/20 + y² to 1e-12", () => {
    // Oracle: scripts/book_optimizers.py, the book's optimizer classes in NumPy (test-support/book-trajectories.ts).
    expect(maxDeviation(runOnBookFunction(new AdaGrad({ lr: 1.5 })), bookTrajectories.adagrad)).toBeLessThan(1e-12);
  });

  it('takes ever smaller y steps, so the zig-zag dies out, as in figure 6-6', () => {
    const path = runOnBookFunction(new AdaGrad({ lr: 1.5 }));
    const dy = stepSizes(path, 1);
    // The first step is lr·g/|g| = 1.5 in both axes, whatever the size of the gradient
    expect(dy[0]).toBeCloseTo(1.5, 6);
    expect(stepSizes(path, 0)[0]).toBeCloseTo(1.5, 6);
    for (let k = 1; k < dy.length; k++) expect(dy[k], `step ${k + 1}`).toBeLessThan(dy[k - 1]!);
    expect(yFlips(path)).toBe(0);
    for (const [, y] of path.slice(6)) expect(Math.abs(y)).toBeLessThan(1e-3);
  });

  describe('def', () => {
    it('validates a config, filling in the default', () => {
      expect(adagrad.type).toBe('adagrad');
      expect(adagrad.validate({})).toEqual({ lr: 0.01 });
      expect(adagrad.validate({ lr: 1.5 })).toEqual({ lr: 1.5 });
      expect(Object.keys(adagrad.configFields)).toEqual(['lr']);
    });

    it('refuses a bad lr and unknown keys, naming the field', () => {
      expect(() => adagrad.validate({ lr: -1.5 })).toThrow('adagrad: "lr" must be a number > 0, got -1.5');
      expect(() => adagrad.validate({ lr: 1, eps: 1e-8 })).toThrow('adagrad: unknown config key "eps"; known keys: lr');
    });

    it('creates an AdaGrad, checking the config again', () => {
      expect((adagrad.create({ lr: 1.5 }) as AdaGrad).lr).toBe(1.5);
      expect(() => adagrad.create({ lr: '1' } as never)).toThrow('adagrad: "lr" must be a number > 0, got "1"');
    });
  });

  describe('update contract', () => {
    itKeepsTheOptimizerContract({ make: () => new AdaGrad({ lr: 0.1 }), state: (o) => ({ h: o.h }) });
  });
});
