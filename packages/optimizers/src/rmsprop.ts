import { rmspropUpdate, type Tensor } from '@dlfs/tensor';
import { decay, learningRate, optimizerConfig } from './optimizer-config.js';
import type { Optimizer, OptimizerDef } from './optimizer.js';
import { checkUpdate, StateTable } from './param-state.js';

export type RMSpropConfig = {
  /** Learning rate η; 0.01 when not given, as in the book. */
  lr?: number;
  /** How much of h each step keeps, ρ (the book's `decay_rate`); 0.99 when not given. */
  decayRate?: number;
};

const rmspropConfig = optimizerConfig<RMSpropConfig>(
  'rmsprop',
  { lr: learningRate(0.01), decayRate: decay('decay rate ρ of the squared-gradient average', 0.99) },
  '{ "lr": 0.01, "decayRate": 0.99 }',
);

function validateRMSpropConfig(config: unknown): Required<RMSpropConfig> {
  return rmspropConfig.validate(config) as Required<RMSpropConfig>;
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
    for (const key in params) {
      const W = params[key]!;
      // h *= ρ; h += (1 − ρ)·g² (two stores, like the book, so float32 rounds where NumPy's does);
      // W −= η·g / (√h + 1e-7): one fused pass, in WASM for float32 params
      rmspropUpdate(W, grads[key]!, this.squares.of(key, W), this.lr, this.decayRate);
    }
  }
}

export const rmsprop: OptimizerDef<RMSpropConfig, 'rmsprop'> = Object.freeze({
  type: 'rmsprop',
  description: 'RMSprop: h ← ρ·h + (1 − ρ)·g ⊙ g; W ← W − η·g / (√h + 1e-7).',
  config: rmspropConfig,
  configFields: rmspropConfig.describe(),
  /** The config with every default filled in. */
  validate: validateRMSpropConfig,
  create(config: RMSpropConfig): Optimizer {
    return new RMSprop(config);
  },
});
