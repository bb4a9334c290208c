import type { LayerSpec } from '@dlfs/layers';
import { SGD } from '@dlfs/optimizers';
import { describe, expect, it } from 'vitest';
import { digits, lastLoss, trainNet } from './training-runs.js';

// Chapter 6's findings, scaled down to run in seconds; each asserts the book's direction with a margin.

/** Five affine layers (four hidden of 100 with ReLU), every weight drawn with `std`, as 6.2.4's weight_init_compare. */
function fiveLayers(std: number | 'xavier' | 'he'): LayerSpec[] {
  const layers: LayerSpec[] = [];
  for (let i = 0; i < 4; i++) layers.push({ type: 'affine', units: 100, weightInitStd: std }, { type: 'relu' });
  layers.push({ type: 'affine', units: 10, weightInitStd: std });
  return layers;
}

describe('6.2 initial weights (figure 6-15)', () => {
  it('a five-layer ReLU net with std 0.01 barely learns while He brings the loss far down; Xavier lies between', () => {
    const data = digits(0, 2000);
    const run = (std: number | 'xavier' | 'he') =>
      lastLoss(trainNet(fiveLayers(std), data, undefined, { optimizer: new SGD({ lr: 0.01 }), batchSize: 100, iterations: 300, seed: 1 }).result);
    const small = run(0.01);
    const xavier = run('xavier');
    const he = run('he');
    // Measured: 2.30, 1.94 and 0.54 (seeds 2 and 3: 2.30/1.78/0.52, 2.30/2.06/0.60).
    expect(small).toBeGreaterThan(2.25);
    expect(he).toBeLessThan(1.0);
    expect(xavier).toBeGreaterThan(he + 0.3);
    expect(xavier).toBeLessThan(small - 0.1);
  });
});

/** `hidden` affine layers of 100 (with `between` after each, then ReLU) and an affine output, He-initialised unless `std` says. */
function deepNet(hidden: number, opts: { std?: number | 'xavier' | 'he'; batchNorm?: boolean; dropout?: number } = {}): LayerSpec[] {
  const std = opts.std ?? 'he';
  const layers: LayerSpec[] = [];
  for (let i = 0; i < hidden; i++) {
    layers.push({ type: 'affine', units: 100, weightInitStd: std });
    if (opts.batchNorm) layers.push({ type: 'batch-norm' });
    layers.push({ type: 'relu' });
    if (opts.dropout !== undefined) layers.push({ type: 'dropout', ratio: opts.dropout });
  }
  layers.push({ type: 'affine', units: 10, weightInitStd: std });
  return layers;
}

describe('6.3 Batch Normalization (figure 6-18)', () => {
  it('a five-layer net with Batch Normalization learns faster than the same net without it on 1,000 digits', () => {
    const data = digits(0, 1000);
    const opts = { optimizer: new SGD({ lr: 0.01 }), batchSize: 100, iterations: 200, seed: 1 };
    for (const std of ['he', 0.1] as const) {
      const plain = trainNet(deepNet(5, { std }), data, undefined, opts).result.trainAccuracy;
      const normalised = trainNet(deepNet(5, { std, batchNorm: true }), data, undefined, opts).result.trainAccuracy;
      // Measured after 200 iterations: He 0.81 → 0.94, std 0.1 0.45 → 0.85.
      expect(normalised, `std ${std}`).toBeGreaterThan(plain + 0.05);
    }
  });
});

describe('6.4 overfitting, weight decay and Dropout (figures 6-20, 6-21, 6-23)', () => {
  const data = digits(0, 300);
  const test = digits(5000, 2000);
  /** Train and test accuracy of a seven-layer net on 300 digits, as the book's overfit_*.py (SGD lr 0.01, batch 100). */
  const gap = (layers: LayerSpec[], iterations: number, weightDecay = 0) => {
    const { network, result } = trainNet(layers, data, undefined, { optimizer: new SGD({ lr: 0.01 }), batchSize: 100, iterations, seed: 1, weightDecay });
    const testAccuracy = network.accuracy(test.x, test.labels);
    return { train: result.trainAccuracy, test: testAccuracy, gap: result.trainAccuracy - testAccuracy };
  };

  it('a deep net overfits 300 digits; weight decay λ = 0.1 and Dropout each narrow the gap between train and test accuracy', () => {
    // The book's 201 epochs of 3 batches (overfit_weight_decay.py) and 301 (overfit_dropout.py).
    const plain = gap(deepNet(6), 603);
    const decayed = gap(deepNet(6), 603, 0.1);
    const dropped = gap(deepNet(6, { dropout: 0.2 }), 903);
    // Measured: plain train 1.000 / test 0.82; λ 0.1: 0.89 / 0.76; dropout 0.2: 0.60 / 0.51.
    expect(plain.train).toBeGreaterThan(0.98);
    expect(plain.gap).toBeGreaterThan(0.15);
    expect(decayed.gap).toBeLessThan(plain.gap - 0.02);
    expect(dropped.gap).toBeLessThan(plain.gap - 0.05);
  });
});
