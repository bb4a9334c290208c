import { affine } from './affine.js';
import { LayerRegistry } from './registry.js';
import { relu } from './relu.js';
import { sigmoid } from './sigmoid.js';

/** A new registry holding the built-in layers (affine, relu, sigmoid); each call returns a fresh one. */
export function builtinLayers(): LayerRegistry {
  return new LayerRegistry([affine, relu, sigmoid]);
}
