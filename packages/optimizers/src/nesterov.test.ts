import { tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { Nesterov, nesterov } from './nesterov.js';
import { distanceToOrigin, maxDeviation, runOnBookFunction, yFlips } from './test-support/book-function.js';
import { bookTrajectories } from './test-support/book-trajectories.js';
import { itKeepsTheOptimizerContract } from './test-support/optimizer-contract.js';

describe('Nesterov', () => {
  it("has the book's defaults lr = 0.01, momentum = 0.9", () => {
    const optimizer = new Nesterov();
    expect(optimizer.type).toBe('nesterov');
    expect([optimizer.lr, optimizer.momentum]).toEqual([0.01, 0.9]);
  });

  it("steps like the book's code, by hand over two updates", () => {
    const optimizer = new Nesterov({ lr: 0.1, momentum: 0.9 });
    const W = tensor([1, -2]);
    // g = [0.5, −1]. v *= 0.9 → [0, 0]; v −= 0.1·g → [−0.05, 0.1]
    // W += 0.81·v = [−0.0405, 0.081] → [0.9595, −1.919]
    // W −= 1.9·0.1·g = [0.095, −0.19] → [0.8645, −1.729]
    optimizer.update({ W }, { W: tensor([0.5, -1]) });
    expect(optimizer.v.get('W')!.data[0]).toBeCloseTo(-0.05, 15);
    expect(optimizer.v.get('W')!.data[1]).toBeCloseTo(0.1, 15);
    expect(W.data[0]).toBeCloseTo(0.8645, 15);
    expect(W.data[1]).toBeCloseTo(-1.729, 15);
    // g = [1, 2]. v = 0.9·[−0.05, 0.1] − 0.1·[1, 2] = [−0.145, −0.11]
    // W += 0.81·v = [−0.11745, −0.0891] → [0.74705, −1.8181]
    // W −= 0.19·[1, 2] = [0.19, 0.38] → [0.55705, −2.1981]
    optimizer.update({ W }, { W: tensor([1, 2]) });
    expect(optimizer.v.get('W')!.data[0]).toBeCloseTo(-0.145, 15);
    expect(optimizer.v.get('W')!.data[1]).toBeCloseTo(-0.11, 15);
    expect(W.data[0]).toBeCloseTo(0.55705, 14);
    expect(W.data[1]).toBeCloseTo(-2.1981, 14);
  });

  it('with the default lr = 0.01, momentum = 0.9, by hand', () => {
    const optimizer = new Nesterov();
    const W = tensor([1]);
    // g = 2: v = −0.02; W = 1 + 0.81·(−0.02) − 1.9·0.01·2 = 1 − 0.0162 − 0.038 = 0.9458
    optimizer.update({ W }, { W: tensor([2]) });
    expect(W.data[0]).toBeCloseTo(0.9458, 15);
  });

  it("follows the NumPy run of the book's Nesterov(lr=0.1) on f(x, y) = x²/20 + y² to 1e-12", () => {
    // Oracle: scripts/book_optimizers.py, the book's optimizer classes in NumPy (test-support/book-trajectories.ts).
    expect(maxDeviation(runOnBookFunction(new Nesterov({ lr: 0.1 })), bookTrajectories.nesterov)).toBeLessThan(1e-12);
  });

  it('looks ahead, so at the same rate it damps the y swing sooner than Momentum', () => {
    const nesterovPath = runOnBookFunction(new Nesterov({ lr: 0.1 }));
    const momentumPath = bookTrajectories.momentum;
    expect(yFlips(nesterovPath)).toBe(4);
    // From step 15 on |y| < 0.025 for Nesterov; Momentum still swings up to |y| ≈ 0.7
    for (const [, y] of nesterovPath.slice(15)) expect(Math.abs(y)).toBeLessThan(0.025);
    expect(Math.max(...momentumPath.slice(15).map(([, y]) => Math.abs(y)))).toBeGreaterThan(0.6);
    const closest = (path: readonly (readonly [number, number])[]): number => Math.min(...path.map(distanceToOrigin));
    expect(closest(nesterovPath)).toBeLessThan(closest(momentumPath) / 2);
  });

  describe('def', () => {
    it('validates a config, filling in the defaults', () => {
      expect(nesterov.type).toBe('nesterov');
      expect(nesterov.validate(undefined)).toEqual({ lr: 0.01, momentum: 0.9 });
      expect(nesterov.validate({ momentum: 0.5 })).toEqual({ lr: 0.01, momentum: 0.5 });
      expect(Object.keys(nesterov.configFields)).toEqual(['lr', 'momentum']);
    });

    it('refuses a bad lr or momentum, naming the field', () => {
      expect(() => nesterov.validate({ lr: null })).toThrow('nesterov: "lr" must be a number > 0, got null');
      expect(() => nesterov.validate({ momentum: '0.9' })).toThrow('nesterov: "momentum" must be a number >= 0 and < 1, got "0.9"');
      expect(() => nesterov.validate([])).toThrow('nesterov: config must be an object');
    });

    it('creates a Nesterov, checking the config again', () => {
      expect(nesterov.create({})).toBeInstanceOf(Nesterov);
      expect(() => nesterov.create({ lr: 0 })).toThrow('nesterov: "lr" must be a number > 0, got 0');
    });
  });

  describe('update contract', () => {
    itKeepsTheOptimizerContract({ make: () => new Nesterov({ lr: 0.1 }), state: (o) => ({ v: o.v }) });
  });
});
