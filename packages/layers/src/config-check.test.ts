import { describe, expect, it } from 'vitest';
import { checkConfigObject, formatValue, LayerConfigError } from './config-check.js';

describe('formatValue', () => {
  it('writes values as a user would have typed them', () => {
    expect(formatValue('50x')).toBe('"50x"');
    expect(formatValue(3)).toBe('3');
    expect(formatValue(Number.NaN)).toBe('NaN');
    expect(formatValue(undefined)).toBe('undefined');
    expect(formatValue(null)).toBe('null');
    expect(formatValue({ a: [1, 2] })).toBe('{"a":[1,2]}');
  });

  it('survives values JSON cannot write', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(formatValue(cyclic)).toBe('[object Object]');
  });
});

describe('checkConfigObject', () => {
  it('returns the object, and {} for undefined', () => {
    const config = { units: 3 };
    expect(checkConfigObject('affine', config, ['units'], '{}')).toBe(config);
    expect(checkConfigObject('relu', undefined, [], '{}')).toEqual({});
  });

  it('refuses non-objects, showing an example', () => {
    expect(() => checkConfigObject('affine', 'units=3', ['units'], '{ "units": 50 }')).toThrow('affine: config must be an object such as { "units": 50 }, got "units=3"');
    expect(() => checkConfigObject('affine', null, ['units'], '{}')).toThrow(LayerConfigError);
  });

  it('names every unknown key and the known ones', () => {
    let caught: unknown;
    try {
      checkConfigObject('affine', { units: 3, unit: 3, std: 1 }, ['units', 'weightInitStd'], '{}');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(LayerConfigError);
    expect((caught as LayerConfigError).message).toBe('affine: unknown config keys "unit", "std"; known keys: units, weightInitStd');
    expect((caught as LayerConfigError).type).toBe('affine');
    expect((caught as LayerConfigError).field).toBe('unit');
  });
});
