import type { NetworkSpec } from './spec.js';

/** 7.5 SimpleConvNet: conv 30 filters 5×5 → ReLU → max-pool 2 → affine 100 → ReLU → affine 10, weight std 0.01 as the book. */
const simpleConvnet: NetworkSpec = {
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
};

/** One 3×3 convolution with ReLU, He-initialised, as the book's deep_convnet.py. */
const conv = (filters: number, pad = 1) => [{ type: 'conv2d', filters, size: 3, stride: 1, pad, weightInitStd: 'he' }, { type: 'relu' }];
const pool = { type: 'max-pool', size: 2, stride: 2 };

/**
 * 8.1 DeepConvNet, as the book's deep_convnet.py: six 3×3 convolutions (16, 16, 32, 32, 64, 64
 * filters; padding 1, 2 on the fourth so that the last pool leaves 64×4×4), ReLU after each,
 * max-pool 2 after every second, affine 50, ReLU, dropout 0.5, affine 10, dropout 0.5; He
 * initialisation throughout.
 */
const deepConvnet: NetworkSpec = {
  inputShape: [1, 28, 28],
  layers: [
    ...conv(16),
    ...conv(16),
    pool,
    ...conv(32),
    ...conv(32, 2),
    pool,
    ...conv(64),
    ...conv(64),
    pool,
    { type: 'affine', units: 50, weightInitStd: 'he' },
    { type: 'relu' },
    { type: 'dropout', ratio: 0.5 },
    { type: 'affine', units: 10, weightInitStd: 'he' },
    { type: 'dropout', ratio: 0.5 },
  ],
  loss: 'softmax-with-loss',
};

/** The example specs `--spec` takes by name: what each is, and the spec (for 28×28 digits, 10 classes). */
export const NAMED_SPECS: Readonly<Record<string, { readonly about: string; readonly spec: NetworkSpec }>> = Object.freeze({
  'simple-convnet': { about: "7.5 SimpleConvNet: conv 30×5×5, ReLU, pool 2, affine 100, ReLU, affine 10 (the book's weight std 0.01)", spec: simpleConvnet },
  'deep-convnet': { about: '8.1 DeepConvNet: six 3×3 convs (16-16-32-32-64-64) with pooling, affine 50, dropout 0.5, affine 10, He init', spec: deepConvnet },
});
