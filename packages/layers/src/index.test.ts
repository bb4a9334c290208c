import { describe, expect, it } from 'vitest';
import * as layers from './index.js';

describe('@dlfs/layers exports', () => {
  it('exports exactly the curated runtime names', () => {
    expect(Object.keys(layers).sort()).toEqual([
      'AddLayer',
      'Affine',
      'DuplicateLayerError',
      'LayerConfigError',
      'LayerCreateError',
      'LayerRegistry',
      'MulLayer',
      'Relu',
      'Sigmoid',
      'UnknownLayerError',
      'affine',
      'builtinLayers',
      'relu',
      'sigmoid',
    ]);
  });
});
