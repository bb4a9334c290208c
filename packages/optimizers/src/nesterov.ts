import { nesterovUpdate, type Tensor } from '@dlfs/tensor';
import { decay, learningRate, optimizerConfig } from './optimizer-config.js';
import type { Optimizer, OptimizerDef } from './optimizer.js';
import { checkUpdate, StateTable } from './param-state.js';

export type NesterovConfig = {
  /** Learning rate η; 0.01 when not given, as in the book. */
  lr?: number;
  /** Momentum α; 0.9 when not given, as in the book. */
  momentum?: number;
};

const nesterovConfig = optimizerConfig<NesterovConfig>(
  'nesterov',
  { lr: learningRate(0.01), momentum: decay('momentum α', 0.9) },
  '{ "lr": 0.01, "momentum": 0.9 }',
);

function validateNesterovConfig(config: unknown): Required<NesterovConfig> {
  return nesterovConfig.validate(config) as Required<NesterovConfig>;
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
    for (const key in params) {
      const W = params[key]!;
      // v *= α; v −= η·g; W += α·α·v; W −= (1 + α)·η·g (one fused pass, in WASM for float32 params)
      nesterovUpdate(W, grads[key]!, this.velocity.of(key, W), this.lr, this.momentum);
    }
  }
}

export const nesterov: OptimizerDef<NesterovConfig, 'nesterov'> = Object.freeze({
  type: 'nesterov',
  description: "Nesterov's accelerated gradient (the book's form): v ← α·v − η·g; W ← W + α²·v − (1 + α)·η·g.",
  config: nesterovConfig,
  configFields: nesterovConfig.describe(),
  /** The config with every default filled in. */
  validate: validateNesterovConfig,
  create(config: NesterovConfig): Optimizer {
    return new Nesterov(config);
  },
});
