import { ConfigError, required, wholeNumber } from '@dlfs/core';
import { describe, expect, it } from 'vitest';
import { LayerConfigError, layerConfig } from './layer-config.js';

describe('layerConfig', () => {
  const schema = layerConfig<{ units: number }>('affine', { units: required(wholeNumber({ min: 1 }), 'number of outputs') }, '{ "units": 50 }');

  it('refuses non-objects with a LayerConfigError, showing an example', () => {
    expect(() => schema.validate('units=3')).toThrow('affine: config must be an object such as { "units": 50 }, got "units=3"');
    expect(() => schema.validate(null)).toThrow(LayerConfigError);
  });

  it('names every unknown key and the known ones', () => {
    let caught: unknown;
    try {
      schema.validate({ units: 3, unit: 3, std: 1 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(LayerConfigError);
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as LayerConfigError).name).toBe('LayerConfigError');
    expect((caught as LayerConfigError).message).toBe('affine: unknown config keys "unit", "std"; known keys: units');
    expect((caught as LayerConfigError).type).toBe('affine');
    expect((caught as LayerConfigError).field).toBe('unit');
  });

  it('says a layer without config takes none', () => {
    expect(() => layerConfig('relu', {}, '{}').validate({ alpha: 1 })).toThrow('relu: unknown config key "alpha"; this layer takes no config');
  });
});
