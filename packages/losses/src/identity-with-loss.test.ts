import { numericalGradient } from '@dlfs/gradcheck';
import { Rng, randn, ShapeError, sub, tensor, zeros } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { IdentityWithLoss } from './identity-with-loss.js';
import type { LossLayer } from './loss-layer.js';
import { meanSquaredError } from './mean-squared-error.js';
import { expectAllClose, relativeError } from './test-support/close.js';

describe('IdentityWithLoss', () => {
  it('is a LossLayer whose forward is the mean squared error', () => {
    const layer: LossLayer = new IdentityWithLoss();
    const t = tensor([0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    const y = tensor([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0]);
    expect(layer.forward(y, t)).toBe(meanSquaredError(y, t));
    expect(layer.forward(y, [2])).toBeCloseTo(0.0975, 15);
  });

  it('backward is (x − t) · dout, not divided by the batch', () => {
    const layer = new IdentityWithLoss();
    const x = randn([3, 4], new Rng(6));
    const t = randn([3, 4], new Rng(7));
    layer.forward(x, t);
    expectAllClose(layer.backward().data, sub(x, t).data, 0);
    expectAllClose(
      layer.backward(-2).data,
      sub(x, t).data.map((d) => -2 * d),
      1e-15,
    );
  });

  it('backward equals the numerical gradient of forward for both label forms', () => {
    const rng = new Rng(8);
    const x = randn([5, 4], rng);
    const indices = Array.from(rng.choice(4, 5));
    const hot = zeros([5, 4]);
    indices.forEach((k, i) => hot.set(1, i, k));
    for (const t of [indices, hot, randn([5, 4], rng)]) {
      const layer = new IdentityWithLoss();
      const numerical = numericalGradient((v) => layer.forward(v, t), x, { h: 1e-4 });
      layer.forward(x, t);
      expect(relativeError(layer.backward().data, numerical.data)).toBeLessThan(1e-7);
    }
  });

  it('is unaffected by changes to x after forward', () => {
    const layer = new IdentityWithLoss();
    const x = tensor([1, 2, 3]);
    layer.forward(x, tensor([0, 0, 0]));
    x.data.fill(0);
    expect(Array.from(layer.backward().data)).toEqual([1, 2, 3]);
  });

  it('keeps float32 in float32', () => {
    const layer = new IdentityWithLoss();
    layer.forward(tensor([[1, 2]], 'float32'), [1]);
    expect(layer.backward().dtype).toBe('float32');
  });

  it('refuses backward before forward and labels that do not fit', () => {
    expect(() => new IdentityWithLoss().backward()).toThrow('IdentityWithLoss.backward: call forward(x, t) first');
    expect(() => new IdentityWithLoss().forward(zeros([2, 3]), zeros([3, 2]))).toThrow(ShapeError);
  });
});
