import { axpy, type Tensor } from '@dlfs/tensor';
import { learningRate, optimizerConfig } from './optimizer-config.js';
import type { Optimizer, OptimizerDef } from './optimizer.js';
import { checkUpdate } from './param-state.js';

export type SGDConfig = {
  /** Learning rate η; 0.01 when not given, as in the book. */
  lr?: number;
};

const sgdConfig = optimizerConfig<SGDConfig>('sgd', { lr: learningRate(0.01) }, '{ "lr": 0.01 }');

function validateSGDConfig(config: unknown): Required<SGDConfig> {
  return sgdConfig.validate(config) as Required<SGDConfig>;
}

/** 6.1.2 SGD: W ← W − η·∂L/∂W. Keeps no state. */
export class SGD implements Optimizer {
  readonly type = 'sgd';
  readonly lr: number;

  constructor(config: SGDConfig = {}) {
    this.lr = validateSGDConfig(config).lr;
  }

  update(params: Readonly<Record<string, Tensor>>, grads: Readonly<Record<string, Tensor>>): void {
    checkUpdate(this.type, params, grads);
    for (const key in params) {
      // W −= η·g
      axpy(-this.lr, grads[key]!, params[key]!);
    }
  }
}

export const sgd: OptimizerDef<SGDConfig, 'sgd'> = Object.freeze({
  type: 'sgd',
  description: 'Stochastic gradient descent (6.1.2): W ← W − η·∂L/∂W.',
  config: sgdConfig,
  configFields: sgdConfig.describe(),
  /** The config with every default filled in. */
  validate: validateSGDConfig,
  create(config: SGDConfig): Optimizer {
    return new SGD(config);
  },
});
