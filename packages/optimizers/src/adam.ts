import { adamUpdate, type Tensor } from '@dlfs/tensor';
import { decay, learningRate, optimizerConfig } from './optimizer-config.js';
import type { Optimizer, OptimizerDef } from './optimizer.js';
import { checkUpdate, StateTable } from './param-state.js';

export type AdamConfig = {
  /** Learning rate η; 0.001 when not given, as in the book. */
  lr?: number;
  /** Decay β1 of the gradient's moving average m; 0.9 when not given. */
  beta1?: number;
  /** Decay β2 of the squared gradient's moving average v; 0.999 when not given. */
  beta2?: number;
};

const adamConfig = optimizerConfig<AdamConfig>(
  'adam',
  { lr: learningRate(0.001), beta1: decay('decay β1 of the gradient average m', 0.9), beta2: decay('decay β2 of the squared-gradient average v', 0.999) },
  '{ "lr": 0.001, "beta1": 0.9, "beta2": 0.999 }',
);

function validateAdamConfig(config: unknown): Required<AdamConfig> {
  return adamConfig.validate(config) as Required<AdamConfig>;
}

/**
 * 6.1.6 Adam (arXiv:1412.6980) in the book's form, with the bias correction folded into the
 * step size: at update t,
 * lr_t = η·√(1 − β2ᵗ) / (1 − β1ᵗ); m ← m + (1 − β1)·(g − m); v ← v + (1 − β2)·(g ⊙ g − v);
 * W ← W − lr_t·m / (√v + 1e-7).
 */
export class Adam implements Optimizer {
  readonly type = 'adam';
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  private readonly first = new StateTable(this.type, 'm');
  private readonly second = new StateTable(this.type, 'v');
  private t = 0;

  constructor(config: AdamConfig = {}) {
    ({ lr: this.lr, beta1: this.beta1, beta2: this.beta2 } = validateAdamConfig(config));
  }

  /** The book's `self.iter`: how many updates have run, t of the bias correction. */
  get iter(): number {
    return this.t;
  }

  /** The book's `self.m`: the moving average of each param key's gradient, made on its first update. */
  get m(): ReadonlyMap<string, Tensor> {
    return this.first.view;
  }

  /** The book's `self.v`: the moving average of each param key's squared gradient, made on its first update. */
  get v(): ReadonlyMap<string, Tensor> {
    return this.second.view;
  }

  update(params: Readonly<Record<string, Tensor>>, grads: Readonly<Record<string, Tensor>>): void {
    checkUpdate(this.type, params, grads, this.first, this.second);
    const { beta1, beta2 } = this;
    this.t += 1;
    // lr_t = η·√(1 − β2ᵗ) / (1 − β1ᵗ): m and v start at 0, so early on they are biased towards 0 by these factors
    const lrT = (this.lr * Math.sqrt(1 - beta2 ** this.t)) / (1 - beta1 ** this.t);
    for (const key in params) {
      const W = params[key]!;
      // m += (1 − β1)·(g − m); v += (1 − β2)·(g² − v); W −= lr_t·m / (√v + 1e-7):
      // one fused pass, in WASM for float32 params
      adamUpdate(W, grads[key]!, this.first.of(key, W), this.second.of(key, W), lrT, beta1, beta2);
    }
  }
}

export const adam: OptimizerDef<AdamConfig, 'adam'> = Object.freeze({
  type: 'adam',
  description: 'Adam (6.1.6): moving averages m of g and v of g ⊙ g, bias-corrected step W ← W − lr_t·m / (√v + 1e-7).',
  config: adamConfig,
  configFields: adamConfig.describe(),
  /** The config with every default filled in. */
  validate: validateAdamConfig,
  create(config: AdamConfig): Optimizer {
    return new Adam(config);
  },
});
