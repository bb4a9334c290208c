import { ConfigError } from '@dlfs/core';
import { describe, expect, it } from 'vitest';
import { decay, learningRate, OptimizerConfigError, optimizerConfig } from './optimizer-config.js';

describe('optimizerConfig', () => {
  const adamLike = optimizerConfig<{ lr?: number; beta1?: number; beta2?: number }>(
    'adam',
    { lr: learningRate(0.001), beta1: decay('decay β1', 0.9), beta2: decay('decay β2', 0.999) },
    '{ "lr": 0.001 }',
  );

  it('fills in every default', () => {
    expect(adamLike.validate({})).toEqual({ lr: 0.001, beta1: 0.9, beta2: 0.999 });
    expect(adamLike.validate(undefined)).toEqual({ lr: 0.001, beta1: 0.9, beta2: 0.999 });
  });

  it('refuses non-objects and unknown keys with an OptimizerConfigError naming the field', () => {
    expect(() => adamLike.validate('lr=0.1')).toThrow('adam: config must be an object such as { "lr": 0.001 }, got "lr=0.1"');
    expect(() => adamLike.validate(null)).toThrow(OptimizerConfigError);
    let caught: unknown;
    try {
      adamLike.validate({ lr: 0.1, b1: 0.9, b2: 0.99 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(OptimizerConfigError);
    expect(caught).toBeInstanceOf(ConfigError);
    const err = caught as OptimizerConfigError;
    expect(err.message).toBe('adam: unknown config keys "b1", "b2"; known keys: lr, beta1, beta2');
    expect(err.name).toBe('OptimizerConfigError');
    expect(err.type).toBe('adam');
    expect(err.field).toBe('b1');
    expect(() => optimizerConfig('none', {}, '{}').validate({ a: 1 })).toThrow('none: unknown config key "a"; this optimizer takes no config');
  });

  it('takes a learning rate > 0 and a decay in [0, 1)', () => {
    expect(adamLike.validate({ lr: 1e-300, beta1: 0 }).lr).toBe(1e-300);
    expect(() => adamLike.validate({ lr: 0 })).toThrow('adam: "lr" must be a number > 0, got 0');
    expect(() => adamLike.validate({ beta2: 1 })).toThrow('adam: "beta2" must be a number >= 0 and < 1, got 1');
  });
});
