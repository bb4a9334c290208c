import { describe, expect, it } from 'vitest';
import { affine } from './affine.js';
import { builtinLayers } from './builtin-layers.js';
import type { LayerDef } from './layer.js';
import { relu } from './relu.js';
import { sigmoid } from './sigmoid.js';

describe('builtinLayers', () => {
  it('holds affine, relu and sigmoid', () => {
    const registry = builtinLayers();
    expect(registry.types()).toEqual(['affine', 'relu', 'sigmoid']);
    expect(registry.defs()).toEqual([affine, relu, sigmoid]);
  });

  it('returns a new registry each call, so registering into one leaves the next unchanged', () => {
    const first = builtinLayers();
    const second = builtinLayers();
    expect(first).not.toBe(second);
    first.register({ ...relu, type: 'leaky-relu' });
    expect(first.has('leaky-relu')).toBe(true);
    expect(second.has('leaky-relu')).toBe(false);
    expect(builtinLayers().has('leaky-relu')).toBe(false);
  });

  it('ships defs that are frozen, described and validated', () => {
    for (const def of builtinLayers().defs() as LayerDef[]) {
      expect(Object.isFrozen(def), def.type).toBe(true);
      expect(def.description, def.type).toMatch(/\S/);
      expect(def.configFields, def.type).toBeDefined();
      expect(typeof def.validate, def.type).toBe('function');
    }
  });
});
