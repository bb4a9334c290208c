import { describe, expect, it } from 'vitest';
import { checkConfigObject, formatValue, fraction, OptimizerConfigError, positiveNumber } from './config-check.js';

describe('formatValue', () => {
  it('writes values as a user would have typed them', () => {
    expect(formatValue('fast')).toBe('"fast"');
    expect(formatValue(0.1)).toBe('0.1');
    expect(formatValue(Number.NaN)).toBe('NaN');
    expect(formatValue(-Infinity)).toBe('-Infinity');
    expect(formatValue(undefined)).toBe('undefined');
    expect(formatValue(null)).toBe('null');
    expect(formatValue({ lr: [1, 2] })).toBe('{"lr":[1,2]}');
  });

  it('survives values JSON cannot write', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(formatValue(cyclic)).toBe('[object Object]');
    expect(formatValue(10n)).toBe('10');
  });
});

describe('checkConfigObject', () => {
  it('returns the object, and {} for undefined', () => {
    const config = { lr: 0.1 };
    expect(checkConfigObject('sgd', config, ['lr'], '{}')).toBe(config);
    expect(checkConfigObject('sgd', undefined, ['lr'], '{}')).toEqual({});
  });

  it('refuses non-objects, showing an example', () => {
    expect(() => checkConfigObject('sgd', 'lr=0.1', ['lr'], '{ "lr": 0.01 }')).toThrow('sgd: config must be an object such as { "lr": 0.01 }, got "lr=0.1"');
    expect(() => checkConfigObject('sgd', null, ['lr'], '{}')).toThrow(OptimizerConfigError);
    expect(() => checkConfigObject('sgd', [0.1], ['lr'], '{}')).toThrow('got [0.1]');
  });

  it('names every unknown key and the known ones', () => {
    let caught: unknown;
    try {
      checkConfigObject('adam', { lr: 0.1, b1: 0.9, b2: 0.99 }, ['lr', 'beta1', 'beta2'], '{}');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(OptimizerConfigError);
    const err = caught as OptimizerConfigError;
    expect(err.message).toBe('adam: unknown config keys "b1", "b2"; known keys: lr, beta1, beta2');
    expect(err.name).toBe('OptimizerConfigError');
    expect(err.type).toBe('adam');
    expect(err.field).toBe('b1');
    expect(() => checkConfigObject('none', { a: 1 }, [], '{}')).toThrow('none: unknown config key "a"; this optimizer takes no config');
  });
});

describe('positiveNumber', () => {
  it('returns a finite number > 0, or the fallback when the field is absent', () => {
    expect(positiveNumber('sgd', { lr: 0.5 }, 'lr', 0.01)).toBe(0.5);
    expect(positiveNumber('sgd', {}, 'lr', 0.01)).toBe(0.01);
    expect(positiveNumber('sgd', { lr: 1e-300 }, 'lr', 0.01)).toBe(1e-300);
  });

  it('refuses anything else with an error naming the type, the field and the value', () => {
    for (const bad of [0, -0.1, Number.NaN, Infinity, '0.1', null, true, [0.1]]) {
      expect(() => positiveNumber('adam', { lr: bad }, 'lr', 0.001)).toThrow(`adam: "lr" must be a number > 0, got ${formatValue(bad)}`);
    }
    try {
      positiveNumber('adam', { lr: 'fast' }, 'lr', 0.001);
    } catch (err) {
      expect(err).toBeInstanceOf(OptimizerConfigError);
      expect((err as OptimizerConfigError).field).toBe('lr');
    }
  });
});

describe('fraction', () => {
  it('returns a number in [0, 1), or the fallback when the field is absent', () => {
    expect(fraction('momentum', { momentum: 0 }, 'momentum', 0.9)).toBe(0);
    expect(fraction('momentum', { momentum: 0.99 }, 'momentum', 0.9)).toBe(0.99);
    expect(fraction('momentum', {}, 'momentum', 0.9)).toBe(0.9);
  });

  it('refuses 1 and above, negatives and non-numbers', () => {
    for (const bad of [1, 1.5, -0.01, Number.NaN, '0.9', null]) {
      expect(() => fraction('adam', { beta2: bad }, 'beta2', 0.999)).toThrow(`adam: "beta2" must be a number >= 0 and < 1, got ${formatValue(bad)}`);
    }
  });
});
