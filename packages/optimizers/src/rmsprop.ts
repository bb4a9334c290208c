import type { Tensor } from '@dlfs/tensor';
import { checkConfigObject, FRACTION_RULE, fraction, POSITIVE_RULE, positiveNumber } from './config-check.js';
import type { Optimizer, OptimizerDef } from './optimizer.js';
import { checkUpdate, StateTable } from './param-state.js';

export type RMSpropConfig = {
  /** Learning rate η; 0.01 when not given, as in the book. */
  lr?: number;
  /** How much of h each step keeps, ρ (the book's `decay_rate`); 0.99 when not given. */
  decayRate?: number;
};

function validateRMSpropConfig(config: unknown): Required<RMSpropConfig> {
  const c = checkConfigObject('rmsprop', config, ['lr', 'decayRate'], '{ "lr": 0.01, "decayRate": 0.99 }');
  return { lr: positiveNumber('rmsprop', c, 'lr', 0.01), decayRate: fraction('rmsprop', c, 'decayRate', 0.99) };
}

/**
 * RMSprop (named in 6.1.5): AdaGrad with an exponential moving average in place of the sum, so old
 * gradients fade and the step does not shrink to nothing.
 * h ← ρ·h + (1 − ρ)·g ⊙ g; W ← W − η·g / (√h + 1e-7).
 */
export class RMSprop implements Optimizer {
  readonly type = 'rmsprop';
  readonly lr: number;
  readonly decayRate: number;
  private readonly squares = new StateTable(this.type, 'h');

  constructor(config: RMSpropConfig = {}) {
    ({ lr: this.lr, decayRate: this.decayRate } = validateRMSpropConfig(config));
  }

  /** The book's `self.h`: the moving average of squared gradients of each param key, made on its first update. */
  get h(): ReadonlyMap<string, Tensor> {
    return this.squares.view;
  }

  update(params: Readonly<Record<string, Tensor>>, grads: Readonly<Record<string, Tensor>>): void {
    checkUpdate(this.type, params, grads, this.squares);
    const lr = this.lr;
    const rho = this.decayRate;
    for (const key in params) {
      const param = params[key]!;
      const W = param.data;
      const g = grads[key]!.data;
      const h = this.squares.of(key, param).data;
      for (let i = 0; i < W.length; i++) {
        const gi = g[i]!;
        // h *= ρ; h += (1 − ρ)·g²: two stores, like the book, so float32 rounds where NumPy's does
        h[i] = h[i]! * rho;
        h[i] = h[i]! + (1 - rho) * gi * gi;
        // W −= η·g / (√h + 1e-7)
        W[i] = W[i]! - (lr * gi) / (Math.sqrt(h[i]!) + 1e-7);
      }
    }
  }
}

export const rmsprop: OptimizerDef<RMSpropConfig, 'rmsprop'> = Object.freeze({
  type: 'rmsprop',
  description: 'RMSprop: h ← ρ·h + (1 − ρ)·g ⊙ g; W ← W − η·g / (√h + 1e-7).',
  configFields: Object.freeze({
    lr: `learning rate η, ${POSITIVE_RULE}; default 0.01`,
    decayRate: `decay rate ρ of the squared-gradient average, ${FRACTION_RULE}; default 0.99`,
  }),
  /** The config with every default filled in. */
  validate: validateRMSpropConfig,
  create(config: RMSpropConfig): Optimizer {
    return new RMSprop(config);
  },
});
