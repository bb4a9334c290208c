import type { Tensor } from '@dlfs/tensor';
import { checkConfigObject, FRACTION_RULE, fraction, POSITIVE_RULE, positiveNumber } from './config-check.js';
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

function validateAdamConfig(config: unknown): Required<AdamConfig> {
  const c = checkConfigObject('adam', config, ['lr', 'beta1', 'beta2'], '{ "lr": 0.001, "beta1": 0.9, "beta2": 0.999 }');
  return { lr: positiveNumber('adam', c, 'lr', 0.001), beta1: fraction('adam', c, 'beta1', 0.9), beta2: fraction('adam', c, 'beta2', 0.999) };
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
      const param = params[key]!;
      const W = param.data;
      const g = grads[key]!.data;
      const m = this.first.of(key, param).data;
      const v = this.second.of(key, param).data;
      for (let i = 0; i < W.length; i++) {
        const gi = g[i]!;
        // m += (1 − β1)·(g − m)
        m[i] = m[i]! + (1 - beta1) * (gi - m[i]!);
        // v += (1 − β2)·(g² − v)
        v[i] = v[i]! + (1 - beta2) * (gi * gi - v[i]!);
        // W −= lr_t·m / (√v + 1e-7)
        W[i] = W[i]! - (lrT * m[i]!) / (Math.sqrt(v[i]!) + 1e-7);
      }
    }
  }
}

export const adam: OptimizerDef<AdamConfig, 'adam'> = Object.freeze({
  type: 'adam',
  description: 'Adam (6.1.6): moving averages m of g and v of g ⊙ g, bias-corrected step W ← W − lr_t·m / (√v + 1e-7).',
  configFields: Object.freeze({
    lr: `learning rate η, ${POSITIVE_RULE}; default 0.001`,
    beta1: `decay β1 of the gradient average m, ${FRACTION_RULE}; default 0.9`,
    beta2: `decay β2 of the squared-gradient average v, ${FRACTION_RULE}; default 0.999`,
  }),
  /** The config with every default filled in. */
  validate: validateAdamConfig,
  create(config: AdamConfig): Optimizer {
    return new Adam(config);
  },
});
