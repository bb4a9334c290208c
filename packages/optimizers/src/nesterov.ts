import { axpy, scaleInPlace, type Tensor } from '@dlfs/tensor';
import { checkConfigObject, FRACTION_RULE, fraction, POSITIVE_RULE, positiveNumber } from './config-check.js';
import type { Optimizer, OptimizerDef } from './optimizer.js';
import { checkUpdate, StateTable } from './param-state.js';

export type NesterovConfig = {
  /** Learning rate η; 0.01 when not given, as in the book. */
  lr?: number;
  /** Momentum α; 0.9 when not given, as in the book. */
  momentum?: number;
};

function validateNesterovConfig(config: unknown): Required<NesterovConfig> {
  const c = checkConfigObject('nesterov', config, ['lr', 'momentum'], '{ "lr": 0.01, "momentum": 0.9 }');
  return { lr: positiveNumber('nesterov', c, 'lr', 0.01), momentum: fraction('nesterov', c, 'momentum', 0.9) };
}

/**
 * Nesterov's accelerated gradient (the book's common/optimizer.py, after
 * arXiv:1212.0901): Momentum's step taken from where the velocity is about to carry W.
 * v ← α·v − η·g; W ← W + α²·v − (1 + α)·η·g.
 */
export class Nesterov implements Optimizer {
  readonly type = 'nesterov';
  readonly lr: number;
  readonly momentum: number;
  private readonly velocity = new StateTable(this.type, 'v');

  constructor(config: NesterovConfig = {}) {
    ({ lr: this.lr, momentum: this.momentum } = validateNesterovConfig(config));
  }

  /** The book's `self.v`: the velocity of each param key, made on its first update. */
  get v(): ReadonlyMap<string, Tensor> {
    return this.velocity.view;
  }

  update(params: Readonly<Record<string, Tensor>>, grads: Readonly<Record<string, Tensor>>): void {
    checkUpdate(this.type, params, grads, this.velocity);
    const alpha = this.momentum;
    for (const key in params) {
      const W = params[key]!;
      const g = grads[key]!;
      const v = this.velocity.of(key, W);
      // v *= α; v −= η·g
      axpy(-this.lr, g, scaleInPlace(v, alpha));
      // W += α·α·v
      axpy(alpha * alpha, v, W);
      // W −= (1 + α)·η·g
      axpy(-((1 + alpha) * this.lr), g, W);
    }
  }
}

export const nesterov: OptimizerDef<NesterovConfig, 'nesterov'> = Object.freeze({
  type: 'nesterov',
  description: "Nesterov's accelerated gradient (the book's form): v ← α·v − η·g; W ← W + α²·v − (1 + α)·η·g.",
  configFields: Object.freeze({
    lr: `learning rate η, ${POSITIVE_RULE}; default 0.01`,
    momentum: `momentum α, ${FRACTION_RULE}; default 0.9`,
  }),
  /** The config with every default filled in. */
  validate: validateNesterovConfig,
  create(config: NesterovConfig): Optimizer {
    return new Nesterov(config);
  },
});
