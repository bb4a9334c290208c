import { momentumUpdate, type Tensor } from '@dlfs/tensor';
import { decay, learningRate, optimizerConfig } from './optimizer-config.js';
import type { Optimizer, OptimizerDef } from './optimizer.js';
import { checkUpdate, StateTable } from './param-state.js';

export type MomentumConfig = {
  /** Learning rate η; 0.01 when not given, as in the book. */
  lr?: number;
  /** Momentum α; 0.9 when not given, as in the book. */
  momentum?: number;
};

const momentumConfig = optimizerConfig<MomentumConfig>(
  'momentum',
  { lr: learningRate(0.01), momentum: decay('momentum α', 0.9) },
  '{ "lr": 0.01, "momentum": 0.9 }',
);

function validateMomentumConfig(config: unknown): Required<MomentumConfig> {
  return momentumConfig.validate(config) as Required<MomentumConfig>;
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
      // v = α·v − η·g; W += v (one fused pass, in WASM for float32 params)
      momentumUpdate(W, g, this.velocity.of(key, W), this.lr, this.momentum);
    }
  }
}

export const momentum: OptimizerDef<MomentumConfig, 'momentum'> = Object.freeze({
  type: 'momentum',
  description: 'Momentum (6.1.4): v ← α·v − η·∂L/∂W; W ← W + v.',
  config: momentumConfig,
  configFields: momentumConfig.describe(),
  /** The config with every default filled in. */
  validate: validateMomentumConfig,
  create(config: MomentumConfig): Optimizer {
    return new Momentum(config);
  },
});
