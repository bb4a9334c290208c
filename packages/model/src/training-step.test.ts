import { BatchSampler } from '@dlfs/data';
import { builtinLayers } from '@dlfs/layers';
import { builtinOptimizers, SGD } from '@dlfs/optimizers';
import { backendInfo, getBackend, kernelStats, resetKernelStats, Rng } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { Network } from './network.js';
import { defaultSpec } from './spec.js';
import { mnistRows } from './test-support/index.js';

const COUNTED = ['Float32Array', 'Float64Array', 'Int32Array', 'Uint8Array'] as const;

/**
 * Runs `fn` and counts the storage it allocates: every `new` of a typed array that makes fresh
 * memory (the data of a tensor, a mask, an index list), plus every block taken from the WASM
 * arena (where kernel-placed tensors live, handed out as views). Views of memory that already
 * exists (`subarray`) allocate no storage and are not counted.
 */
function countTypedArrays(fn: () => void): number {
  const arenaBlocks = (): number => backendInfo().memory?.arenaBlocks ?? 0;
  const blocksBefore = arenaBlocks();
  const g = globalThis as unknown as Record<string, object>;
  const saved = COUNTED.map((name) => g[name]!);
  let count = 0;
  COUNTED.forEach((name, i) => {
    g[name] = new Proxy(saved[i]!, {
      construct(target, args, newTarget) {
        // A view of memory that exists (an ArrayBuffer, or the WASM memory's SharedArrayBuffer) is no allocation.
        if (!(args[0] instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && args[0] instanceof SharedArrayBuffer))) count++;
        return Reflect.construct(target as new (...a: unknown[]) => object, args, newTarget) as object;
      },
    });
  });
  try {
    fn();
  } finally {
    COUNTED.forEach((name, i) => {
      g[name] = saved[i]!;
    });
  }
  // Arena blocks only go back through FinalizationRegistry callbacks, which run as separate
  // tasks, never inside the synchronous fn: the difference counts exactly the blocks taken.
  return count + (arenaBlocks() - blocksBefore);
}

describe('the training step (sample, gather, forward, backward, update)', () => {
  const data = mnistRows(0, 1000, 1);
  const network = Network.build(defaultSpec(10), { registry: builtinLayers(), inputShape: [784], rng: new Rng(1), dtype: 'float32', classes: 10 });
  const sampler = new BatchSampler(data.x, data.labels, { batchSize: 100, mode: 'replacement', rng: new Rng(2) });
  const optimizer = new SGD({ lr: 0.1 });
  const step = (): number => {
    const batch = sampler.next();
    const loss = network.gradient(batch.x, batch.labels!);
    optimizer.update(network.params, network.grads);
    return loss;
  };

  it('allocates no typed-array storage once warm', () => {
    step();
    step();
    let losses = 0;
    expect(
      countTypedArrays(() => {
        for (let i = 0; i < 20; i++) losses += step();
      }),
    ).toBe(0);
    expect(Number.isFinite(losses)).toBe(true);
  });

  it('still allocates nothing after an evaluation pass on another batch size', () => {
    network.accuracy(data.x, data.labels);
    step();
    expect(countTypedArrays(() => step())).toBe(0);
  });

  it("the counter does count: a fresh network's first step allocates", () => {
    const fresh = Network.build(defaultSpec(10), { registry: builtinLayers(), inputShape: [784], rng: new Rng(1), classes: 10 });
    expect(countTypedArrays(() => fresh.gradient(sampler.next().x, sampler.next().labels!))).toBeGreaterThan(0);
  });
});

describe.runIf(getBackend() === 'wasm')('the training step on the wasm backend', () => {
  const data = mnistRows(0, 1000, 1);

  it.each(builtinOptimizers().types())('runs every float32 kernel in WASM with %s: no fallback to TypeScript, no copy of a heap operand', (type) => {
    const network = Network.build(defaultSpec(10), { registry: builtinLayers(), inputShape: [784], rng: new Rng(1), dtype: 'float32', classes: 10 });
    const sampler = new BatchSampler(data.x, data.labels, { batchSize: 100, mode: 'replacement', rng: new Rng(2) });
    const optimizer = builtinOptimizers().create(type);
    const step = (): void => {
      const batch = sampler.next();
      network.gradient(batch.x, batch.labels!);
      optimizer.update(network.params, network.grads);
    };
    step();
    resetKernelStats();
    for (let i = 0; i < 5; i++) step();
    const stats = kernelStats();
    expect(stats.backend).toBe('wasm');
    const offPath = Object.entries(stats.kernels).filter(([, k]) => Object.keys(k.fallbacks).length > 0 || k.copies.calls > 0);
    expect(Object.fromEntries(offPath)).toEqual({});
    // The counters count: the step did run its kernels in WASM.
    for (const name of ['matmul', 'addBias', 'relu', 'reluBackward', 'softmaxCrossEntropy', 'copyRows'] as const)
      expect(stats.kernels[name].wasm, name).toBeGreaterThan(0);
  });
});

describe('the conv net training step (chapters 6 and 7)', () => {
  const data = mnistRows(0, 600, 1);
  // Every new layer in one net: conv2d, batch-norm per channel and per feature, max-pool, dropout.
  const spec = {
    inputShape: [1, 28, 28],
    layers: [
      { type: 'conv2d', filters: 8, size: 5, weightInitStd: 'he' },
      { type: 'batch-norm' },
      { type: 'relu' },
      { type: 'max-pool', size: 2 },
      { type: 'conv2d', filters: 6, size: 3, pad: 1, weightInitStd: 'he' },
      { type: 'relu' },
      { type: 'max-pool', size: 3, stride: 2 },
      { type: 'dropout', ratio: 0.2 },
      { type: 'affine', units: 20, weightInitStd: 'he' },
      { type: 'batch-norm' },
      { type: 'relu' },
      { type: 'affine', units: 10 },
    ],
    loss: 'softmax-with-loss',
  };
  const build = () => Network.build(spec, { registry: builtinLayers(), inputShape: [784], rng: new Rng(1), dtype: 'float32', classes: 10 });

  it('allocates no typed-array storage once warm, also after an evaluation pass on other batch sizes', () => {
    const network = build();
    const sampler = new BatchSampler(data.x, data.labels, { batchSize: 50, mode: 'replacement', rng: new Rng(2) });
    const optimizer = builtinOptimizers().create('adam');
    const pass = { train: true, rng: new Rng(3) };
    const step = (): number => {
      const batch = sampler.next();
      const loss = network.gradient(batch.x, batch.labels!, pass);
      optimizer.update(network.params, network.grads);
      return loss;
    };
    step();
    step();
    let losses = 0;
    expect(
      countTypedArrays(() => {
        for (let i = 0; i < 5; i++) losses += step();
      }),
    ).toBe(0);
    expect(Number.isFinite(losses)).toBe(true);
    network.accuracy(data.x, data.labels, 77);
    step();
    expect(countTypedArrays(() => step())).toBe(0);
  });

  it.runIf(getBackend() === 'wasm')('runs every float32 kernel in WASM, with no copy of a heap operand, and the first conv skips its input gradient', () => {
    const network = build();
    const sampler = new BatchSampler(data.x, data.labels, { batchSize: 50, mode: 'replacement', rng: new Rng(2) });
    const optimizer = builtinOptimizers().create('adam');
    const pass = { train: true, rng: new Rng(3) };
    const step = (): void => {
      const batch = sampler.next();
      network.gradient(batch.x, batch.labels!, pass);
      optimizer.update(network.params, network.grads);
    };
    step();
    resetKernelStats();
    for (let i = 0; i < 3; i++) step();
    const stats = kernelStats();
    const offPath = Object.entries(stats.kernels).filter(([, k]) => Object.keys(k.fallbacks).length > 0 || k.copies.calls > 0 || k.reference > k.small);
    expect(Object.fromEntries(offPath)).toEqual({});
    // Per step: two conv layers, two poolings, two batch-norms, one dropout.
    for (const name of ['conv2d', 'conv2dFilterGrad', 'maxPool', 'maxPoolBackward', 'batchNormStats', 'batchNormApply', 'batchNormBackward'] as const)
      expect(stats.kernels[name].wasm, name).toBe(6);
    for (const name of ['dropout', 'multiply'] as const) expect(stats.kernels[name].wasm, name).toBe(3);
    // Two conv layers, and only the second computes its input gradient.
    expect(stats.kernels.conv2dInputGrad.wasm).toBe(3);
  });
});
