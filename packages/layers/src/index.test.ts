import { describe, expect, it } from 'vitest';
import * as layers from './index.js';

describe('@dlfs/layers exports', () => {
  it('exports exactly the curated runtime names', () => {
    expect(Object.keys(layers).sort()).toEqual([
      'AddLayer',
      'Affine',
      'BatchNorm',
      'Conv2d',
      'Dropout',
      'DuplicateLayerError',
      'LayerConfigError',
      'LayerCreateError',
      'LayerRegistry',
      'MaxPool',
      'MulLayer',
      'Relu',
      'Sigmoid',
      'UnknownLayerError',
      'affine',
      'batchNorm',
      'builtinLayers',
      'conv2d',
      'dropout',
      'maxPool',
      'relu',
      'sigmoid',
    ]);
  });
});
