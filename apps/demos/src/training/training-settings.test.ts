import { describe, expect, it } from 'vitest';
import { CONVNET_SETTINGS, checkSettings, DEFAULT_SETTINGS, defaultLearningRate } from './training-settings.js';

describe('training settings', () => {
  it('start from chapter 5: 784-50-10, SGD lr 0.1, batch 100', () => {
    expect(DEFAULT_SETTINGS).toMatchObject({ hidden: 50, optimizer: 'sgd', lr: 0.1, batchSize: 100 });
    expect(checkSettings(DEFAULT_SETTINGS)).toBeUndefined();
  });

  it('train SimpleConvNet as `dlfs train --spec simple-convnet --optimizer adam --lr 0.001`', () => {
    expect(CONVNET_SETTINGS).toEqual({ optimizer: 'adam', lr: 0.001, iterations: 1000 });
    expect(checkSettings({ ...DEFAULT_SETTINGS, network: 'simple-convnet', ...CONVNET_SETTINGS })).toBeUndefined();
  });

  it('take each optimizer’s book default learning rate, SGD’s from chapter 5', () => {
    expect(defaultLearningRate('sgd')).toBe(0.1);
    expect(defaultLearningRate('adam')).toBe(0.001);
  });

  it('name the field that is out of range', () => {
    expect(checkSettings({ ...DEFAULT_SETTINGS, network: 'lenet' as never })).toBe('Network must be one of two-layer, simple-convnet');
    expect(checkSettings({ ...DEFAULT_SETTINGS, batchSize: 0 })).toBe('Batch size must be a whole number from 1 to 9,000');
    expect(checkSettings({ ...DEFAULT_SETTINGS, iterations: 2.5 })).toBe('Iterations must be a whole number from 1 to 100,000');
    expect(checkSettings({ ...DEFAULT_SETTINGS, lr: Number.NaN })).toBe('Learning rate must be a number above 0 and at most 10');
    expect(checkSettings({ ...DEFAULT_SETTINGS, seed: -1 })).toBe('Seed must be a whole number ≥ 0');
    expect(checkSettings({ ...DEFAULT_SETTINGS, optimizer: 'adamw' })).toMatch(/^Optimizer must be one of adagrad, adam, momentum/);
  });
});
