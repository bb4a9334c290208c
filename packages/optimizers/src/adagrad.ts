import { adagradUpdate, type Tensor } from '@dlfs/tensor';
import { learningRate, optimizerConfig } from './optimizer-config.js';
import type { Optimizer, OptimizerDef } from './optimizer.js';
import { checkUpdate, StateTable } from './param-state.js';

export type AdaGradConfig = {
  /** Learning rate η; 0.01 when not given, as in the book. */
  lr?: number;
};

const adagradConfig = optimizerConfig<AdaGradConfig>('adagrad', { lr: learningRate(0.01) }, '{ "lr": 0.01 }');

function validateAdaGradConfig(config: unknown): Required<AdaGradConfig> {
  return adagradConfig.validate(config) as Required<AdaGradConfig>;
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
    for (const key in params) {
      const W = params[key]!;
      // h += g²; W −= η·g / (√h + 1e-7) (one fused pass, in WASM for float32 params)
      adagradUpdate(W, grads[key]!, this.squares.of(key, W), this.lr);
    }
  }
}

export const adagrad: OptimizerDef<AdaGradConfig, 'adagrad'> = Object.freeze({
  type: 'adagrad',
  description: 'AdaGrad (6.1.5): h ← h + g ⊙ g; W ← W − η·g / (√h + 1e-7).',
  config: adagradConfig,
  configFields: adagradConfig.describe(),
  /** The config with every default filled in. */
  validate: validateAdaGradConfig,
  create(config: AdaGradConfig): Optimizer {
    return new AdaGrad(config);
  },
});
