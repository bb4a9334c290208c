import type { LayerSpec } from '@dlfs/layers';
import { Adam } from '@dlfs/optimizers';
import { describe, expect, it } from 'vitest';
import { digits, trainNet } from './training-runs.js';

// 7.5 SimpleConvNet: conv (30 filters of 5×5) → ReLU → 2×2 max pool → affine 100 → ReLU → affine 10, as the book's simple_convnet.py.
const simpleConvNet: LayerSpec[] = [
  { type: 'conv2d', filters: 30, size: 5, pad: 0, stride: 1, weightInitStd: 0.01 },
  { type: 'relu' },
  { type: 'max-pool', size: 2, stride: 2 },
  { type: 'affine', units: 100, weightInitStd: 0.01 },
  { type: 'relu' },
  { type: 'affine', units: 10, weightInitStd: 0.01 },
];
// 5.7's TwoLayerNet (50 hidden), the chapter-5 baseline.
const twoLayerNet: LayerSpec[] = [{ type: 'affine', units: 50, weightInitStd: 0.01 }, { type: 'relu' }, { type: 'affine', units: 10, weightInitStd: 0.01 }];

describe('7.5 SimpleConvNet (section 7.6, train_convnet.py)', () => {
  it('beats the two-layer net on the same 2,000 digits, with the same optimizer and steps, on 2,000 others', () => {
    const data = digits(0, 2000);
    const test = digits(6000, 2000);
    const opts = { optimizer: () => new Adam({ lr: 0.001 }), batchSize: 100, epochs: 5, seed: 1 };
    const run = (layers: LayerSpec[], inputShape: number[]) => {
      const { network } = trainNet(layers, data, undefined, { ...opts, optimizer: opts.optimizer(), inputShape });
      return network.accuracy(test.x, test.labels);
    };
    const dense = run(twoLayerNet, [784]);
    const conv = run(simpleConvNet, [1, 28, 28]);
    // Measured (seed 1, 2, 3): two-layer 0.821 / 0.832 / 0.843, SimpleConvNet 0.876 / 0.875 / 0.870.
    expect(conv).toBeGreaterThan(dense + 0.02);
  });
});
