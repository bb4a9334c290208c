import type { NetworkSpec } from '@dlfs/model';

/**
 * 7.5 SimpleConvNet, as `dlfs train --spec simple-convnet` has it (a copy of the CLI's named spec,
 * apps/cli/src/specs/named-specs.ts): conv 30 filters 5×5 → ReLU → max-pool 2 → affine 100 →
 * ReLU → affine 10, weight std 0.01 as the book.
 */
export const SIMPLE_CONVNET: NetworkSpec = Object.freeze({
  inputShape: [1, 28, 28],
  layers: [
    { type: 'conv2d', filters: 30, size: 5, stride: 1, pad: 0, weightInitStd: 0.01 },
    { type: 'relu' },
    { type: 'max-pool', size: 2, stride: 2 },
    { type: 'affine', units: 100, weightInitStd: 0.01 },
    { type: 'relu' },
    { type: 'affine', units: 10, weightInitStd: 0.01 },
  ],
  loss: 'softmax-with-loss',
});

/** The networks the page trains: chapter 5's two-layer net and chapter 7's SimpleConvNet. */
export const NETWORK_CHOICES = ['two-layer', 'simple-convnet'] as const;
export type NetworkChoice = (typeof NETWORK_CHOICES)[number];

export const NETWORK_NAMES: Readonly<Record<NetworkChoice, string>> = Object.freeze({
  'two-layer': 'Two-layer net (5.7)',
  'simple-convnet': 'SimpleConvNet (7.5)',
});
