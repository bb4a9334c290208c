import { describe, expect, it } from 'vitest';
import { affine } from './affine.js';
import { batchNorm } from './batch-norm.js';
import { builtinLayers } from './builtin-layers.js';
import { conv2d } from './conv2d.js';
import { dropout } from './dropout.js';
import type { LayerDef } from './layer.js';
import { maxPool } from './max-pool.js';
import { relu } from './relu.js';
import { sigmoid } from './sigmoid.js';

describe('builtinLayers', () => {
  it('holds affine, batch-norm, conv2d, dropout, max-pool, relu and sigmoid', () => {
    const registry = builtinLayers();
    expect(registry.types()).toEqual(['affine', 'batch-norm', 'conv2d', 'dropout', 'max-pool', 'relu', 'sigmoid']);
    expect(registry.defs()).toEqual([affine, batchNorm, conv2d, dropout, maxPool, relu, sigmoid]);
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
