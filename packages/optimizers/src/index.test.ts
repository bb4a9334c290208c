import { describe, expect, it } from 'vitest';
import * as optimizers from './index.js';

describe('@dlfs/optimizers exports', () => {
  it('exports exactly the curated runtime names', () => {
    expect(Object.keys(optimizers).sort()).toEqual([
      'AdaGrad',
      'Adam',
      'DuplicateOptimizerError',
      'Momentum',
      'Nesterov',
      'OptimizerConfigError',
      'OptimizerRegistry',
      'RMSprop',
      'SGD',
      'UnknownOptimizerError',
      'adagrad',
      'adam',
      'builtinOptimizers',
      'momentum',
      'nesterov',
      'rmsprop',
      'sgd',
    ]);
  });
});
