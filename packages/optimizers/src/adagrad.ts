import type { Tensor } from '@dlfs/tensor';
import { checkConfigObject, POSITIVE_RULE, positiveNumber } from './config-check.js';
import type { Optimizer, OptimizerDef } from './optimizer.js';
import { checkUpdate, StateTable } from './param-state.js';

export type AdaGradConfig = {
  /** Learning rate η; 0.01 when not given, as in the book. */
  lr?: number;
};

function validateAdaGradConfig(config: unknown): Required<AdaGradConfig> {
  const c = checkConfigObject('adagrad', config, ['lr'], '{ "lr": 0.01 }');
  return { lr: positiveNumber('adagrad', c, 'lr', 0.01) };
}

/**
 * 6.1.5 AdaGrad: h ← h + g ⊙ g; W ← W − η·g / (√h + 1e-7). Each element's step shrinks as
 * the squares of its gradients add up; 1e-7 keeps the first division finite where h is 0.
 */
export class AdaGrad implements Optimizer {
  readonly type = 'adagrad';
  readonly lr: number;
  private readonly squares = new StateTable(this.type, 'h');

  constructor(config: AdaGradConfig = {}) {
    this.lr = validateAdaGradConfig(config).lr;
  }

  /** The book's `self.h`: the sum of squared gradients of each param key, made on its first update. */
  get h(): ReadonlyMap<string, Tensor> {
    return this.squares.view;
  }

  update(params: Readonly<Record<string, Tensor>>, grads: Readonly<Record<string, Tensor>>): void {
    checkUpdate(this.type, params, grads, this.squares);
    const lr = this.lr;
    for (const key in params) {
      const param = params[key]!;
      const W = param.data;
      const g = grads[key]!.data;
      const h = this.squares.of(key, param).data;
      for (let i = 0; i < W.length; i++) {
        const gi = g[i]!;
        // h += g²
        h[i] = h[i]! + gi * gi;
        // W −= η·g / (√h + 1e-7)
        W[i] = W[i]! - (lr * gi) / (Math.sqrt(h[i]!) + 1e-7);
      }
    }
  }
}

export const adagrad: OptimizerDef<AdaGradConfig, 'adagrad'> = Object.freeze({
  type: 'adagrad',
  description: 'AdaGrad (6.1.5): h ← h + g ⊙ g; W ← W − η·g / (√h + 1e-7).',
  configFields: Object.freeze({
    lr: `learning rate η, ${POSITIVE_RULE}; default 0.01`,
  }),
  /** The config with every default filled in. */
  validate: validateAdaGradConfig,
  create(config: AdaGradConfig): Optimizer {
    return new AdaGrad(config);
  },
});
