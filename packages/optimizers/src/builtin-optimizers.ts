import { adagrad } from './adagrad.js';
import { adam } from './adam.js';
import { momentum } from './momentum.js';
import { nesterov } from './nesterov.js';
import { OptimizerRegistry } from './registry.js';
import { rmsprop } from './rmsprop.js';
import { sgd } from './sgd.js';

/** A new registry holding the built-in optimizers (6.1); each call returns a fresh one. */
export function builtinOptimizers(): OptimizerRegistry {
  return new OptimizerRegistry([sgd, momentum, nesterov, adagrad, rmsprop, adam]);
}
