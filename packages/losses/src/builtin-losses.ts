import { defineConfig } from '@dlfs/core';
import { IdentityWithLoss } from './identity-with-loss.js';
import type { LossDef } from './loss-layer.js';
import { LossRegistry } from './loss-registry.js';
import { SoftmaxWithLoss } from './softmax-with-loss.js';

type NoConfig = Record<string, never>;

const softmaxWithLossConfig = defineConfig<NoConfig>('softmax-with-loss', {}, { kind: 'loss', example: '{}' });
const identityWithLossConfig = defineConfig<NoConfig>('identity-with-loss', {}, { kind: 'loss', example: '{}' });

/** 5.6.3: softmax then the cross-entropy error, for classification (class-index or one-hot labels). */
export const softmaxWithLoss: LossDef<NoConfig> = Object.freeze({
  type: 'softmax-with-loss',
  description: 'Softmax with the cross-entropy error (5.6.3), for classification: dx = (y − t) / N.',
  config: softmaxWithLossConfig,
  configFields: softmaxWithLossConfig.describe(),
  capabilities: Object.freeze({ classifier: true }),
  create: () => new SoftmaxWithLoss(),
});

/** 4.2.1: the identity output with the sum of squared errors, for regression. */
export const identityWithLoss: LossDef<NoConfig> = Object.freeze({
  type: 'identity-with-loss',
  description: 'Identity output with the squared error ½ Σ (x − t)² (4.2.1), for regression: dx = x − t.',
  config: identityWithLossConfig,
  configFields: identityWithLossConfig.describe(),
  capabilities: Object.freeze({}),
  create: () => new IdentityWithLoss(),
});

/** A new registry holding the built-in losses; each call returns a fresh one. */
export function builtinLosses(): LossRegistry {
  return new LossRegistry([softmaxWithLoss, identityWithLoss]);
}
