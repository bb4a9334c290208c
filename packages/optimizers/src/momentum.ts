import { axpy, scaleInPlace, type Tensor } from '@dlfs/tensor';
import { checkConfigObject, FRACTION_RULE, fraction, POSITIVE_RULE, positiveNumber } from './config-check.js';
import type { Optimizer, OptimizerDef } from './optimizer.js';
import { checkUpdate, StateTable } from './param-state.js';

export type MomentumConfig = {
  /** Learning rate η; 0.01 when not given, as in the book. */
  lr?: number;
  /** Momentum α; 0.9 when not given, as in the book. */
  momentum?: number;
};

function validateMomentumConfig(config: unknown): Required<MomentumConfig> {
  const c = checkConfigObject('momentum', config, ['lr', 'momentum'], '{ "lr": 0.01, "momentum": 0.9 }');
  return { lr: positiveNumber('momentum', c, 'lr', 0.01), momentum: fraction('momentum', c, 'momentum', 0.9) };
}

/** 6.1.4 Momentum: v ← α·v − η·∂L/∂W; W ← W + v. */
export class Momentum implements Optimizer {
  readonly type = 'momentum';
  readonly lr: number;
  readonly momentum: number;
  private readonly velocity = new StateTable(this.type, 'v');

  constructor(config: MomentumConfig = {}) {
    ({ lr: this.lr, momentum: this.momentum } = validateMomentumConfig(config));
  }

  /** The book's `self.v`: the velocity of each param key, made on its first update. */
  get v(): ReadonlyMap<string, Tensor> {
    return this.velocity.view;
  }

  update(params: Readonly<Record<string, Tensor>>, grads: Readonly<Record<string, Tensor>>): void {
    checkUpdate(this.type, params, grads, this.velocity);
    for (const key in params) {
      const W = params[key]!;
      const g = grads[key]!;
      const v = this.velocity.of(key, W);
      // v = α·v − η·g
      axpy(-this.lr, g, scaleInPlace(v, this.momentum));
      // W += v
      axpy(1, v, W);
    }
  }
}

export const momentum: OptimizerDef<MomentumConfig, 'momentum'> = Object.freeze({
  type: 'momentum',
  description: 'Momentum (6.1.4): v ← α·v − η·∂L/∂W; W ← W + v.',
  configFields: Object.freeze({
    lr: `learning rate η, ${POSITIVE_RULE}; default 0.01`,
    momentum: `momentum α, ${FRACTION_RULE}; default 0.9`,
  }),
  /** The config with every default filled in. */
  validate: validateMomentumConfig,
  create(config: MomentumConfig): Optimizer {
    return new Momentum(config);
  },
});
