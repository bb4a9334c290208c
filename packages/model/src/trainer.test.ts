import { builtinLayers } from '@dlfs/layers';
import { Adam, SGD } from '@dlfs/optimizers';
import { Rng } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import type { DoctorWarning } from './doctor.js';
import { Network } from './network.js';
import { defaultSpec, type NetworkSpec } from './spec.js';
import { type EpochMetrics, type IterationProgress, train } from './trainer.js';
import { blobs, mnistRows, recorded, snapshotParams, testRegistry } from './test-support/index.js';

function smallNet(seed = 1, spec: NetworkSpec = defaultSpec(3, 8)): Network {
  return Network.build(spec, { registry: testRegistry(), inputShape: [4], rng: new Rng(seed), classes: 3 });
}

describe('train on real MNIST digits', () => {
  it('a 784-50-10 network with SGD lr 0.1 passes 85% validation accuracy in 600 iterations, its loss falling', () => {
    // 3,000 training and 1,000 validation digits of the bundled sample, in 0..1 as the book's normalize=True.
    const data = mnistRows(0, 3000);
    const val = mnistRows(9000, 1000);
    const net = Network.build(defaultSpec(10), { registry: builtinLayers(), inputShape: [784], rng: new Rng(1), classes: 10 });
    const result = train(net, data, val, { optimizer: new SGD({ lr: 0.1 }), batchSize: 100, iterations: 600, rng: new Rng(2) });

    expect(result.stopped).toBeNull();
    expect(result.iterations).toBe(600);
    // iter_per_epoch = 3000 / 100 = 30: 20 epochs.
    expect(result.epochs).toBe(20);
    expect(result.history).toHaveLength(20);
    expect(result.valAccuracy).toBeGreaterThan(0.85);
    expect(result.trainAccuracy).toBeGreaterThan(0.85);
    expect(result.history.at(-1)!.valAccuracy).toBe(result.valAccuracy);
    const losses = result.history.map((h) => h.loss);
    // Starts near ln 10 = 2.30 (uniform guesses), ends far below.
    expect(losses[0]).toBeGreaterThan(1.5);
    expect(losses.at(-1)!).toBeLessThan(0.5);
    // Falls, apart from mini-batch noise: each window of 5 epochs below the one before.
    const windows = [0, 5, 10, 15].map((s) => losses.slice(s, s + 5).reduce((a, b) => a + b, 0) / 5);
    for (let k = 1; k < windows.length; k++) expect(windows[k]!, `window ${k}`).toBeLessThan(windows[k - 1]!);
    expect(result.warnings).toEqual([]);
    expect(result.deadReluFraction).toBeLessThanOrEqual(0.5);
    expect(result.seconds).toBeGreaterThan(0);
  });
});

describe('train', () => {
  const data = blobs(250, 4, 3, new Rng(5));
  const val = blobs(60, 4, 3, new Rng(5));

  it('gives an identical history and identical weights for the same seeds', () => {
    const run = (seed: number) => {
      const net = smallNet(seed);
      const result = train(net, data, val, { optimizer: new SGD({ lr: 0.5 }), batchSize: 20, epochs: 4, rng: new Rng(seed + 1) });
      return { history: result.history, params: snapshotParams(net.params) };
    };
    const a = run(3);
    const b = run(3);
    expect(b.history).toEqual(a.history);
    expect(b.params).toEqual(a.params);
    const c = run(4);
    expect(c.history).not.toEqual(a.history);
  });

  it('learns well separated blobs with SGD and with Adam', () => {
    for (const optimizer of [new SGD({ lr: 0.5 }), new Adam({ lr: 0.01 })]) {
      const net = smallNet(2);
      const result = train(net, data, val, { optimizer, batchSize: 25, epochs: 30, rng: new Rng(3) });
      expect(result.valAccuracy, optimizer.type).toBe(1);
      expect(result.history.at(-1)!.loss).toBeLessThan(result.history[0]!.loss);
    }
  });

  it("counts the book's iter_per_epoch = max(floor(rows / batch), 1) in replacement sampling", () => {
    // 250 rows, batches of 100: floor(2.5) = 2 iterations per epoch.
    const result = train(smallNet(), data, undefined, { optimizer: new SGD(), batchSize: 100, epochs: 3, rng: new Rng(1) });
    expect(result.iterations).toBe(6);
    expect(result.epochs).toBe(3);
    expect(result.history.map((h) => [h.epoch, h.iteration])).toEqual([
      [1, 2],
      [2, 4],
      [3, 6],
    ]);
    expect(result.history.every((h) => h.valAccuracy === null)).toBe(true);
    expect(result.valAccuracy).toBeNull();
  });

  it('counts one iteration per epoch when there are fewer rows than a batch', () => {
    const few = blobs(30, 4, 3, new Rng(2));
    recorded.length = 0;
    const spec: NetworkSpec = { layers: [{ type: 'recorder' }, ...defaultSpec(3, 8).layers], loss: 'softmax-with-loss' };
    const result = train(smallNet(1, spec), few, undefined, { optimizer: new SGD(), batchSize: 100, epochs: 2, rng: new Rng(1) });
    expect(result.iterations).toBe(2);
    expect(result.history.map((h) => h.iteration)).toEqual([1, 2]);
    // The batch shrinks to the 30 rows there are.
    expect(recorded.map((b) => b.length)).toEqual([30, 30]);
  });

  it('ends a last, shorter epoch when the iterations do not divide into epochs', () => {
    const result = train(smallNet(), data, undefined, { optimizer: new SGD(), batchSize: 100, iterations: 5, rng: new Rng(1) });
    expect(result.iterations).toBe(5);
    expect(result.epochs).toBe(3);
    expect(result.history.map((h) => h.iteration)).toEqual([2, 4, 5]);
  });

  it('draws full batches with replacement in replacement sampling', () => {
    recorded.length = 0;
    const spec: NetworkSpec = { layers: [{ type: 'recorder' }, ...defaultSpec(3, 8).layers], loss: 'softmax-with-loss' };
    const ids = blobs(250, 4, 3, new Rng(5));
    for (let r = 0; r < 250; r++) ids.x.data[r * 4] = r;
    train(smallNet(1, spec), ids, undefined, { optimizer: new SGD({ lr: 1e-6 }), batchSize: 100, epochs: 3, rng: new Rng(1) });
    expect(recorded.map((b) => b.length)).toEqual([100, 100, 100, 100, 100, 100]);
    // With replacement, a batch of 100 out of 250 rows repeats some row (all but surely).
    expect(recorded.some((b) => new Set(b).size < b.length)).toBe(true);
  });

  it('walks shuffled passes in epoch sampling: every row once per epoch, a short last batch', () => {
    recorded.length = 0;
    const spec: NetworkSpec = { layers: [{ type: 'recorder' }, ...defaultSpec(3, 8).layers], loss: 'softmax-with-loss' };
    const ids = blobs(250, 4, 3, new Rng(5));
    for (let r = 0; r < 250; r++) ids.x.data[r * 4] = r;
    const epochs: EpochMetrics[] = [];
    const result = train(smallNet(1, spec), ids, undefined, {
      optimizer: new SGD({ lr: 1e-6 }),
      batchSize: 100,
      epochs: 2,
      sampling: 'epoch',
      rng: new Rng(1),
      onEpoch: (m) => epochs.push(m),
    });
    // ceil(250 / 100) = 3 batches per pass: 100, 100 and 50 rows.
    expect(result.iterations).toBe(6);
    expect(result.epochs).toBe(2);
    expect(epochs.map((m) => m.iteration)).toEqual([3, 6]);
    expect(recorded.map((b) => b.length)).toEqual([100, 100, 50, 100, 100, 50]);
    const all = Array.from({ length: 250 }, (_, r) => r);
    expect(
      recorded
        .slice(0, 3)
        .flat()
        .sort((a, b) => a - b),
    ).toEqual(all);
    expect(
      recorded
        .slice(3, 6)
        .flat()
        .sort((a, b) => a - b),
    ).toEqual(all);
    // Shuffled, and differently in each pass.
    expect(recorded[0]!.slice(0, 10)).not.toEqual(all.slice(0, 10));
    expect(recorded[3]).not.toEqual(recorded[0]);
  });

  it('reports each epoch with the mean mini-batch loss and the accuracy on the batches trained', () => {
    const progress: IterationProgress[] = [];
    const epochs: EpochMetrics[] = [];
    const net = smallNet(6);
    const result = train(net, data, val, {
      optimizer: new SGD({ lr: 0.5 }),
      batchSize: 50,
      iterations: 12,
      rng: new Rng(7),
      onIteration: (p) => progress.push({ ...p }),
      onEpoch: (m) => epochs.push(m),
    });
    // 250 / 50 = 5 iterations per epoch: epochs end at 5, 10 and (short) 12.
    expect(progress.map((p) => p.iteration)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(progress.map((p) => p.epoch)).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3]);
    expect(progress.every((p) => p.iterations === 12 && Number.isFinite(p.loss))).toBe(true);
    expect(epochs).toEqual(result.history);
    expect(epochs.map((m) => m.iteration)).toEqual([5, 10, 12]);
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(epochs[0]!.loss).toBeCloseTo(mean(progress.slice(0, 5).map((p) => p.loss)), 12);
    expect(epochs[1]!.loss).toBeCloseTo(mean(progress.slice(5, 10).map((p) => p.loss)), 12);
    expect(epochs[2]!.loss).toBeCloseTo(mean(progress.slice(10).map((p) => p.loss)), 12);
    for (const m of epochs) {
      expect(m.trainAccuracy).toBeGreaterThanOrEqual(0);
      expect(m.trainAccuracy).toBeLessThanOrEqual(1);
      // Accuracy on 60 validation rows is a whole number of sixtieths.
      expect(Math.round(m.valAccuracy! * 60)).toBeCloseTo(m.valAccuracy! * 60, 9);
    }
    expect(result.valAccuracy).toBe(net.accuracy(val.x, val.labels));
    expect(result.trainAccuracy).toBe(net.accuracy(data.x, data.labels));
  });

  it('passes every warning to onWarning as it is raised', () => {
    const seen: DoctorWarning[] = [];
    const net = smallNet(1);
    // Every hidden unit dead: biases far below anything x · W reaches.
    net.params.b1!.data.fill(-100);
    const result = train(net, data, val, { optimizer: new SGD({ lr: 0.01 }), batchSize: 50, epochs: 1, rng: new Rng(1), onWarning: (w) => seen.push(w) });
    expect(result.warnings.map((w) => w.code)).toEqual(['chance-accuracy', 'dead-relu']);
    expect(seen).toEqual(result.warnings);
    expect(result.deadReluFraction).toBe(1);
  });

  it('stops when shouldStop says so, keeping the weights it has', () => {
    let iteration = 0;
    let atStop: Record<string, Float32Array | Float64Array> = {};
    const net = smallNet(2);
    const result = train(net, data, val, {
      optimizer: new SGD({ lr: 0.5 }),
      batchSize: 50,
      epochs: 10,
      rng: new Rng(1),
      onIteration: (p) => {
        iteration = p.iteration;
        atStop = snapshotParams(net.params);
      },
      shouldStop: () => iteration >= 7,
    });
    expect(result.stopped).toBe('requested');
    expect(result.iterations).toBe(7);
    expect(result.epochs).toBe(1);
    expect(result.history).toHaveLength(1);
    expect(snapshotParams(net.params)).toEqual(atStop);
  });

  it('polls shouldStop after every iteration', () => {
    let polls = 0;
    const result = train(smallNet(), data, undefined, {
      optimizer: new SGD(),
      batchSize: 50,
      iterations: 8,
      rng: new Rng(1),
      shouldStop: () => {
        polls++;
        return false;
      },
    });
    expect(polls).toBe(8);
    expect(result.stopped).toBeNull();
  });

  it('refuses training data without rows, or with a label count that differs from the rows', () => {
    const opts = { optimizer: new SGD(), batchSize: 10, iterations: 1, rng: new Rng(1) };
    const empty = blobs(0, 4, 3, new Rng(1));
    expect(() => train(smallNet(), empty, undefined, opts)).toThrow('train: there are no training rows');
    expect(() => train(smallNet(), { x: data.x, labels: data.labels.subarray(1) }, undefined, opts)).toThrow('train: 250 rows but 249 labels');
  });
});
