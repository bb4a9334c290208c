import { checkGradients } from '@dlfs/gradcheck';
import { builtinLayers } from '@dlfs/layers';
import { SGD } from '@dlfs/optimizers';
import { randn, Rng } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { Network } from './network.js';
import { defaultSpec } from './spec.js';
import { train } from './trainer.js';
import { blobs, passRegistry } from './test-support/index.js';

const net = (dtype: 'float32' | 'float64' = 'float64'): Network =>
  Network.build(
    {
      layers: [
        { type: 'affine', units: 5, weightInitStd: 0.5 },
        { type: 'running-centre' },
        { type: 'relu' },
        { type: 'affine', units: 3, weightInitStd: 0.5 },
      ],
      loss: 'softmax-with-loss',
    },
    { registry: passRegistry(), inputShape: [4], rng: new Rng(1), dtype, classes: 3 },
  );

describe('weight decay (6.4.1)', () => {
  it("decays what the layers' defs declare: the weight matrices, never biases, beta or gamma", () => {
    expect(net().decayed).toEqual(['W1', 'W2']);
    expect(Network.build(defaultSpec(3), { registry: builtinLayers(), inputShape: [4], rng: new Rng(1) }).decayed).toEqual(['W1', 'W2']);
  });

  it('adds ½λ Σ‖W‖² to the loss, by hand', () => {
    const n = net();
    const x = randn([6, 4], new Rng(2));
    const t = [0, 1, 2, 0, 1, 2];
    const plain = n.loss(x, t);
    n.weightDecay = 0.1;
    let squares = 0;
    for (const name of ['W1', 'W2']) for (const w of n.params[name]!.data) squares += w * w;
    expect(n.loss(x, t)).toBeCloseTo(plain + 0.05 * squares, 12);
  });

  it('gives the gradient of that loss: backprop matches the numerical gradient with λ = 0.1', () => {
    const n = net();
    n.weightDecay = 0.1;
    const x = randn([5, 4], new Rng(3));
    const report = checkGradients(n.gradientCheckTarget(x, [0, 1, 2, 1, 0]));
    expect(report.ok, report.summary).toBe(true);
    // λW really is in dW1: without it the check would fail on W1 and W2 only.
    const grads = n.gradientCheckTarget(x, [0, 1, 2, 1, 0]).gradients();
    n.weightDecay = 0;
    const bare = n.gradientCheckTarget(x, [0, 1, 2, 1, 0]).gradients();
    expect(grads.W1!.data[0]! - bare.W1!.data[0]!).toBeCloseTo(0.1 * n.params.W1!.data[0]!, 12);
    expect(grads.b1!.data).toEqual(bare.b1!.data);
  });

  it('is set for a run by train({ weightDecay }), and shrinks the weights', () => {
    const data = blobs(120, 4, 3, new Rng(4), 'float32');
    const norm = (n: Network) => ['W1', 'W2'].reduce((s, k) => s + Array.from(n.params[k]!.data).reduce((a, w) => a + w * w, 0), 0);
    const a = net('float32');
    const b = net('float32');
    train(a, data, undefined, { optimizer: new SGD({ lr: 0.1 }), batchSize: 20, iterations: 60, rng: new Rng(5) });
    train(b, data, undefined, { optimizer: new SGD({ lr: 0.1 }), batchSize: 20, iterations: 60, rng: new Rng(5), weightDecay: 0.5 });
    expect(b.weightDecay).toBe(0.5);
    expect(norm(b)).toBeLessThan(0.8 * norm(a));
    expect(() => train(net('float32'), data, undefined, { optimizer: new SGD(), batchSize: 20, iterations: 1, rng: new Rng(5), weightDecay: -1 })).toThrow(
      /weightDecay must be a number >= 0/,
    );
  });
});
