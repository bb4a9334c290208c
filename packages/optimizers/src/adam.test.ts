import { tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { Adam, adam } from './adam.js';
import { maxDeviation, runOnBookFunction, stepSizes, yFlips } from './test-support/book-function.js';
import { bookTrajectories } from './test-support/book-trajectories.js';
import { itKeepsTheOptimizerContract } from './test-support/optimizer-contract.js';

describe('Adam', () => {
  it("has the book's defaults lr = 0.001, beta1 = 0.9, beta2 = 0.999", () => {
    const optimizer = new Adam();
    expect(optimizer.type).toBe('adam');
    expect([optimizer.lr, optimizer.beta1, optimizer.beta2]).toEqual([0.001, 0.9, 0.999]);
    expect(optimizer.iter).toBe(0);
    const W = tensor([1]);
    // g = 2, t = 1: lr_t = 0.001·√0.001 / 0.1 = 0.000316227766016838; m = 0.2; v = 0.004, √v = 0.063245553203368
    // W = 1 − 0.000316227766016838·0.2 / 0.063245653203368 = 1 − 0.000999998418864 = 0.999000001581136
    optimizer.update({ W }, { W: tensor([2]) });
    expect(optimizer.iter).toBe(1);
    expect(W.data[0]).toBeCloseTo(0.999000001581136, 15);
  });

  it('corrects the bias of m and v at t = 1 and t = 2, by hand', () => {
    const optimizer = new Adam({ lr: 0.1 });
    const W = tensor([1, -2]);
    // t = 1, g = [0.5, −1]
    // lr_t = 0.1·√(1 − 0.999) / (1 − 0.9) = √0.001 = 0.0316227766016838
    // m = 0.1·g = [0.05, −0.1]; v = 0.001·g² = [0.00025, 0.001], √v = [0.0158113883008419, 0.0316227766016838]
    // lr_t·m/√v = 0.1·sign(g): the correction makes the first step lr, where the raw m/√v would give 0.316
    // step = lr_t·m / (√v + 1e−7) = [0.0999993675484679, −0.0999996837732340]
    // W = [0.900000632451532, −1.900000316226766]
    optimizer.update({ W }, { W: tensor([0.5, -1]) });
    expect(optimizer.iter).toBe(1);
    expect(optimizer.m.get('W')!.data[0]).toBeCloseTo(0.05, 15);
    expect(optimizer.m.get('W')!.data[1]).toBeCloseTo(-0.1, 15);
    expect(optimizer.v.get('W')!.data[0]).toBeCloseTo(0.00025, 15);
    expect(optimizer.v.get('W')!.data[1]).toBeCloseTo(0.001, 15);
    expect(W.data[0]).toBeCloseTo(0.900000632451532, 14);
    expect(W.data[1]).toBeCloseTo(-1.900000316226766, 14);
    // t = 2, g = [1, 2]
    // lr_t = 0.1·√(1 − 0.999²) / (1 − 0.9²) = 0.1·√0.001999 / 0.19 = 0.0235316725327454
    // m = [0.05 + 0.1·(1 − 0.05), −0.1 + 0.1·(2 + 0.1)] = [0.145, 0.11]
    // v = [0.00025 + 0.001·(1 − 0.00025), 0.001 + 0.001·(4 − 0.001)] = [0.00124975, 0.004999]
    // √v = [0.0353518033486271, 0.0707036066972541]
    // step = lr_t·m / (√v + 1e−7) = [0.0965179295609440, 0.0366103009236222]
    // W = [0.900000632451532 − 0.096517929560944, −1.900000316226766 − 0.036610300923622] = [0.803482702890588, −1.936610617150388]
    optimizer.update({ W }, { W: tensor([1, 2]) });
    expect(optimizer.iter).toBe(2);
    expect(optimizer.m.get('W')!.data[0]).toBeCloseTo(0.145, 15);
    expect(optimizer.m.get('W')!.data[1]).toBeCloseTo(0.11, 15);
    expect(optimizer.v.get('W')!.data[0]).toBeCloseTo(0.00124975, 15);
    expect(optimizer.v.get('W')!.data[1]).toBeCloseTo(0.004999, 15);
    expect(W.data[0]).toBeCloseTo(0.803482702890588, 14);
    expect(W.data[1]).toBeCloseTo(-1.936610617150388, 14);
  });

  it('counts t once per update, however many params it holds', () => {
    const optimizer = new Adam();
    const params = { W: tensor([1, 2]), b: tensor([3]) };
    const grads = { W: tensor([1, 1]), b: tensor([1]) };
    for (let i = 0; i < 3; i++) optimizer.update(params, grads);
    expect(optimizer.iter).toBe(3);
  });

  it("follows the NumPy run of the book's Adam(lr=0.3) on f(x, y) = x²/20 + y² to 1e-12", () => {
    // Oracle: scripts/book_optimizers.py, the book's optimizer classes in NumPy (test-support/book-trajectories.ts).
    expect(maxDeviation(runOnBookFunction(new Adam({ lr: 0.3 })), bookTrajectories.adam)).toBeLessThan(1e-12);
  });

  it('rolls like Momentum with less sway, as in figure 6-7', () => {
    const path = runOnBookFunction(new Adam({ lr: 0.3 }));
    // Its first steps are lr = 0.3 in x and in y, though ∂f/∂y is 5.7 times ∂f/∂x there
    expect(stepSizes(path, 0)[0]).toBeCloseTo(0.3, 5);
    expect(stepSizes(path, 1)[0]).toBeCloseTo(0.3, 5);
    // y crosses the valley's floor twice in 30 steps, Momentum's 4 times and SGD's 30 times
    expect(yFlips(path)).toBe(2);
    expect(yFlips(path)).toBeLessThan(yFlips(bookTrajectories.momentum));
    // It reaches the minimum's x on the 29th step; SGD never does
    expect(path.findIndex(([x]) => x > 0)).toBe(29);
  });

  describe('def', () => {
    it('validates a config, filling in the defaults', () => {
      expect(adam.type).toBe('adam');
      expect(adam.validate({})).toEqual({ lr: 0.001, beta1: 0.9, beta2: 0.999 });
      expect(adam.validate({ lr: 0.3, beta2: 0.99 })).toEqual({ lr: 0.3, beta1: 0.9, beta2: 0.99 });
      expect(Object.keys(adam.configFields)).toEqual(['lr', 'beta1', 'beta2']);
      expect(adam.configFields.lr).toMatch(/default 0\.001/);
    });

    it('refuses a bad lr or beta, naming the field', () => {
      expect(() => adam.validate({ lr: 'fast' })).toThrow('adam: "lr" must be a number > 0, got "fast"');
      expect(() => adam.validate({ lr: -0.001 })).toThrow('adam: "lr" must be a number > 0, got -0.001');
      expect(() => adam.validate({ beta1: 1 })).toThrow('adam: "beta1" must be a number >= 0 and < 1, got 1');
      expect(() => adam.validate({ beta2: [0.999] })).toThrow('adam: "beta2" must be a number >= 0 and < 1, got [0.999]');
      expect(() => adam.validate({ beta_1: 0.9, beta_2: 0.999 })).toThrow('adam: unknown config keys "beta_1", "beta_2"; known keys: lr, beta1, beta2');
      expect(() => adam.validate(null)).toThrow('adam: config must be an object such as { "lr": 0.001, "beta1": 0.9, "beta2": 0.999 }, got null');
    });

    it('creates an Adam, checking the config again', () => {
      const optimizer = adam.create({ lr: 0.3 }) as Adam;
      expect([optimizer.lr, optimizer.beta1, optimizer.beta2]).toEqual([0.3, 0.9, 0.999]);
      expect(() => adam.create({ beta1: -0.1 })).toThrow(/"beta1" must be/);
    });
  });

  describe('update contract', () => {
    itKeepsTheOptimizerContract({ make: () => new Adam({ lr: 0.1 }), state: (o) => ({ m: o.m, v: o.v }) });
  });
});
