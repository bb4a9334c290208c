import { describe, expect, it } from 'vitest';
import { anyOf, boolean, ConfigError, defineConfig, formatValue, number, oneOf, optional, required, shape, wholeNumber } from './config-schema.js';

class TestConfigError extends ConfigError {
  override name = 'TestConfigError';
}

type AffineLike = { units: number; weightInitStd?: number | 'xavier' | 'he' };
const affineLike = defineConfig<AffineLike>(
  'affine',
  {
    units: required(wholeNumber({ min: 1 }), 'number of outputs'),
    weightInitStd: optional(anyOf(number({ gt: 0 }), oneOf(['xavier', 'he'])), 'std of the initial W', { default: 0.01 }),
  },
  { kind: 'layer', example: '{ "units": 50 }', error: (t, f, d) => new TestConfigError(t, f, d) },
);

type AdamLike = { lr?: number; beta1?: number; beta2?: number };
const adamLike = defineConfig<AdamLike>(
  'adam',
  {
    lr: optional(number({ gt: 0 }), 'learning rate η', { default: 0.001 }),
    beta1: optional(number({ ge: 0, lt: 1 }), 'decay β1', { default: 0.9 }),
    beta2: optional(number({ ge: 0, lt: 1 }), 'decay β2', { default: 0.999 }),
  },
  { kind: 'optimizer', example: '{ "lr": 0.001 }', fillDefaults: true },
);

describe('formatValue', () => {
  it('writes values as a user would have typed them', () => {
    expect(formatValue('50x')).toBe('"50x"');
    expect(formatValue(3)).toBe('3');
    expect(formatValue(0.1)).toBe('0.1');
    expect(formatValue(Number.NaN)).toBe('NaN');
    expect(formatValue(-Infinity)).toBe('-Infinity');
    expect(formatValue(undefined)).toBe('undefined');
    expect(formatValue(null)).toBe('null');
    expect(formatValue({ a: [1, 2] })).toBe('{"a":[1,2]}');
  });

  it('survives values JSON cannot write', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(formatValue(cyclic)).toBe('[object Object]');
    expect(formatValue(10n)).toBe('10');
  });
});

describe('rules', () => {
  it('say in words what they test', () => {
    expect(wholeNumber({ min: 1 }).text).toBe('a whole number >= 1');
    expect(wholeNumber({ min: 1, max: 9 }).text).toBe('a whole number >= 1 and <= 9');
    expect(number({ gt: 0 }).text).toBe('a number > 0');
    expect(number({ ge: 0, lt: 1 }).text).toBe('a number >= 0 and < 1');
    expect(oneOf(['xavier', 'he']).text).toBe('"xavier" or "he"');
    expect(oneOf(['std', 'xavier', 'he']).text).toBe('"std", "xavier" or "he"');
    expect(anyOf(number({ gt: 0 }), oneOf(['xavier', 'he'])).text).toBe('a number > 0, "xavier" or "he"');
  });

  it('accept exactly the values their words allow', () => {
    const units = wholeNumber({ min: 1 });
    expect([1, 50, 2 ** 40].every((v) => units.test(v))).toBe(true);
    expect([0, -1, 2.5, '5', Number.NaN, null, 2 ** 60].some((v) => units.test(v))).toBe(false);
    const lr = number({ gt: 0 });
    expect([1e-300, 0.1, 5].every((v) => lr.test(v))).toBe(true);
    expect([0, -0.1, Number.NaN, Infinity, '0.1', null, true, [0.1]].some((v) => lr.test(v))).toBe(false);
    const frac = number({ ge: 0, lt: 1 });
    expect([0, 0.99].every((v) => frac.test(v))).toBe(true);
    expect([1, 1.5, -0.01, Number.NaN, '0.9', null].some((v) => frac.test(v))).toBe(false);
    expect(boolean().test(false) && !boolean().test(0)).toBe(true);
    expect(shape().test([1, 28, 28]) && !shape().test([]) && !shape().test([0]) && !shape().test(784)).toBe(true);
  });
});

describe('ConfigSchema.validate', () => {
  it('returns the config typed, and {} for undefined', () => {
    expect(affineLike.validate({ units: 50 })).toEqual({ units: 50 });
    expect(affineLike.validate({ units: 10, weightInitStd: 'he' })).toEqual({ units: 10, weightInitStd: 'he' });
    expect(defineConfig<Record<string, never>>('relu', {}, { kind: 'layer', example: '{}' }).validate(undefined)).toEqual({});
  });

  it('fills in the defaults when the schema says so', () => {
    expect(adamLike.validate({})).toEqual({ lr: 0.001, beta1: 0.9, beta2: 0.999 });
    expect(adamLike.validate({ lr: 0.3, beta2: 0.99 })).toEqual({ lr: 0.3, beta1: 0.9, beta2: 0.99 });
    expect(affineLike.withDefaults({ units: 3 })).toEqual({ units: 3, weightInitStd: 0.01 });
  });

  it('refuses non-objects, showing an example', () => {
    expect(() => affineLike.validate('units=3')).toThrow('affine: config must be an object such as { "units": 50 }, got "units=3"');
    expect(() => affineLike.validate(null)).toThrow(TestConfigError);
    expect(() => adamLike.validate([0.1])).toThrow('got [0.1]');
  });

  it('names every unknown key and the known ones', () => {
    let caught: unknown;
    try {
      affineLike.validate({ units: 3, unit: 3, std: 1 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TestConfigError);
    expect((caught as ConfigError).message).toBe('affine: unknown config keys "unit", "std"; known keys: units, weightInitStd');
    expect((caught as ConfigError).type).toBe('affine');
    expect((caught as ConfigError).field).toBe('unit');
    const none = defineConfig<Record<string, never>>('none', {}, { kind: 'optimizer', example: '{}' });
    expect(() => none.validate({ a: 1 })).toThrow('none: unknown config key "a"; this optimizer takes no config');
  });

  it('refuses a value against its rule, naming the type, the field and the value', () => {
    expect(() => affineLike.validate({ units: '50x' })).toThrow('affine: "units" must be a whole number >= 1, got "50x"');
    expect(() => affineLike.validate({})).toThrow('affine: "units" must be a whole number >= 1, got undefined');
    expect(() => affineLike.validate({ units: 5, weightInitStd: 'glorot' })).toThrow(
      'affine: "weightInitStd" must be a number > 0, "xavier" or "he", got "glorot"',
    );
    for (const bad of [0, -0.1, Number.NaN, Infinity, '0.1', null, true, [0.1]]) {
      expect(() => adamLike.validate({ lr: bad })).toThrow(`adam: "lr" must be a number > 0, got ${formatValue(bad)}`);
    }
    for (const bad of [1, 1.5, -0.01, Number.NaN, '0.9', null]) {
      expect(() => adamLike.validate({ beta2: bad })).toThrow(`adam: "beta2" must be a number >= 0 and < 1, got ${formatValue(bad)}`);
    }
    try {
      adamLike.validate({ lr: 'fast' });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).field).toBe('lr');
    }
  });
});

describe('ConfigSchema.describe', () => {
  it('gives one line per field, in order, with the rule and the default', () => {
    expect(affineLike.describe()).toEqual({
      units: 'number of outputs, a whole number >= 1',
      weightInitStd: 'std of the initial W, a number > 0, "xavier" or "he"; default 0.01',
    });
    expect(Object.keys(adamLike.describe())).toEqual(['lr', 'beta1', 'beta2']);
    expect(adamLike.describe().lr).toBe('learning rate η, a number > 0; default 0.001');
    expect(Object.isFrozen(adamLike.describe())).toBe(true);
  });
});
