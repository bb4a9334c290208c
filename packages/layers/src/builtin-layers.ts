import { affine } from './affine.js';
import { batchNorm } from './batch-norm.js';
import { conv2d } from './conv2d.js';
import { dropout } from './dropout.js';
import { maxPool } from './max-pool.js';
import { LayerRegistry } from './registry.js';
import { relu } from './relu.js';
import { sigmoid } from './sigmoid.js';

/** A new registry holding the built-in layers (affine, relu, sigmoid, batch-norm, dropout, conv2d, max-pool); each call returns a fresh one. */
export function builtinLayers(): LayerRegistry {
  return new LayerRegistry([affine, relu, sigmoid, batchNorm, dropout, conv2d, maxPool]);
}
