import { describe, expect, it } from 'vitest';
import { adagrad } from './adagrad.js';
import { adam } from './adam.js';
import { builtinOptimizers } from './builtin-optimizers.js';
import { momentum } from './momentum.js';
import { nesterov } from './nesterov.js';
import type { BuiltinOptimizerType } from './optimizer.js';
import { rmsprop } from './rmsprop.js';
import { sgd } from './sgd.js';
import { distanceToOrigin, type Point, runOnBookFunction, yFlips } from './test-support/book-function.js';

describe('builtinOptimizers', () => {
  it('holds the six optimizers of 6.1', () => {
    const registry = builtinOptimizers();
    expect(registry.types()).toEqual(['adagrad', 'adam', 'momentum', 'nesterov', 'rmsprop', 'sgd']);
    expect(registry.defs()).toEqual([adagrad, adam, momentum, nesterov, rmsprop, sgd]);
  });

  it('returns a new registry each call, so registering into one leaves the next unchanged', () => {
    const first = builtinOptimizers();
    const second = builtinOptimizers();
    expect(first).not.toBe(second);
    first.register({ ...sgd, type: 'sgd2' });
    expect(first.has('sgd2')).toBe(true);
    expect(second.has('sgd2')).toBe(false);
    expect(builtinOptimizers().has('sgd2')).toBe(false);
  });

  it('ships defs that are frozen, described, and whose configFields give the defaults validate fills in', () => {
    for (const def of builtinOptimizers().defs()) {
      expect(Object.isFrozen(def), def.type).toBe(true);
      expect(Object.isFrozen(def.configFields), def.type).toBe(true);
      expect(def.description, def.type).toMatch(/\S/);
      const defaults = def.validate({});
      expect(Object.keys(def.configFields), def.type).toEqual(Object.keys(defaults));
      for (const [field, value] of Object.entries(defaults)) {
        expect(def.configFields[field], `${def.type}.${field}`).toMatch(new RegExp(`default ${String(value).replace('.', '\\.')}$`));
      }
    }
  });

  it('creates each optimizer by its type, with that type, from nothing or a config', () => {
    const registry = builtinOptimizers();
    for (const type of registry.types()) {
      expect(registry.create(type).type).toBe(type);
      expect(registry.create(type, { lr: 0.5 }).type).toBe(type);
    }
  });
});

describe("the book's comparison on f(x, y) = x²/20 + y² from (−7, 2), 30 steps (figure 6-8)", () => {
  // The book's learning rates, each optimizer built through the registry as a trainer would.
  const registry = builtinOptimizers();
  const rates: Record<Exclude<BuiltinOptimizerType, 'nesterov' | 'rmsprop'>, number> = { sgd: 0.95, momentum: 0.1, adagrad: 1.5, adam: 0.3 };
  const path = (type: keyof typeof rates): Point[] => runOnBookFunction(registry.create(type, { lr: rates[type] }));
  const closest = (p: readonly Point[]): number => Math.min(...p.map(distanceToOrigin));
  const sgdPath = path('sgd');

  it('SGD zig-zags: y changes sign on every step, far more often than with the others', () => {
    expect(yFlips(sgdPath)).toBe(30);
    expect(yFlips(path('momentum'))).toBeLessThan(10);
    expect(yFlips(path('adagrad'))).toBe(0);
    expect(yFlips(path('adam'))).toBeLessThan(10);
  });

  it('SGD never reaches the x of the minimum; Momentum and Adam cross it', () => {
    expect(Math.max(...sgdPath.map(([x]) => x))).toBeLessThan(-0.3);
    expect(path('momentum').some(([x]) => x > 0)).toBe(true);
    expect(path('adam').some(([x]) => x > 0)).toBe(true);
  });

  it('Momentum comes much closer to the origin than SGD ever does', () => {
    // Closest approaches: Momentum 0.148 (step 24), SGD 0.361 (its last step)
    expect(closest(path('momentum'))).toBeLessThan(closest(sgdPath) / 2);
  });

  it('AdaGrad ends much closer to the origin than SGD', () => {
    // After 30 steps: AdaGrad 0.120, SGD 0.361
    expect(distanceToOrigin(path('adagrad')[30]!)).toBeLessThan(distanceToOrigin(sgdPath[30]!) / 2);
  });

  it('yet after 30 steps Momentum (overshot) and Adam (still swinging in y) are no nearer the origin than SGD', () => {
    // Step 30: Momentum at (0.896, 0.088), Adam at (0.136, 0.318), SGD at (−0.350, 0.085)
    expect(distanceToOrigin(path('momentum')[30]!)).toBeGreaterThan(distanceToOrigin(sgdPath[30]!));
    expect(distanceToOrigin(path('adam')[30]!)).toBeCloseTo(distanceToOrigin(sgdPath[30]!), 1);
  });
});
