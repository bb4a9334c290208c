import { featureStats } from '@dlfs/data';
import { MNIST_SAMPLE_CLASS_COUNTS } from '@dlfs/datasets';
import { builtinLayers } from '@dlfs/layers';
import { SGD } from '@dlfs/optimizers';
import { Rng, Tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { chanceAccuracy, checkChanceAccuracy, checkDeadRelu, checkInputScale, DEAD_RELU_ALERT, deadReluFraction } from './doctor.js';
import { Network } from './network.js';
import { defaultSpec, type NetworkSpec } from './spec.js';
import { type EpochMetrics, train } from './trainer.js';
import { blobs, mnistRows, mnistSample, passRegistry, snapshotParams, testRegistry } from './test-support/index.js';

describe('checkInputScale', () => {
  it('warns about raw 0..255 pixels and names their range and the fix', () => {
    const raw = mnistRows(0, 1000, 255);
    const warning = checkInputScale(featureStats(raw.x));
    expect(warning?.code).toBe('unscaled-inputs');
    expect(warning?.message).toMatch(/^inputs are not scaled: they range from 0 to 255 \(mean 3\d\.\d\)/);
    expect(warning?.message).toContain('--scale 255');
  });

  it('is quiet for pixels scaled to 0..1', () => {
    expect(checkInputScale(featureStats(mnistRows(0, 1000).x))).toBeUndefined();
  });

  it('allows values up to 2 in size either way', () => {
    expect(checkInputScale({ min: -2, max: 2, mean: 0 })).toBeUndefined();
    expect(checkInputScale({ min: 0, max: 2.5, mean: 1 })?.code).toBe('unscaled-inputs');
    expect(checkInputScale({ min: -3, max: 1, mean: 0 })?.code).toBe('unscaled-inputs');
    expect(checkInputScale({ min: -3, max: 1, mean: 0.25 })?.message).toContain('from -3 to 1 (mean 0.250)');
  });
});

describe('chanceAccuracy', () => {
  it('is the fraction of the most frequent class', () => {
    expect(chanceAccuracy(Int32Array.from([0, 1, 1, 2, 1]), 3)).toBe(3 / 5);
    expect(chanceAccuracy(Int32Array.from([2, 2, 2, 2]), 3)).toBe(1);
    expect(chanceAccuracy(Int32Array.from([0, 1, 2, 3]), 4)).toBe(1 / 4);
  });

  it('is 1 / classes for no labels', () => {
    expect(chanceAccuracy(new Int32Array(0), 10)).toBe(0.1);
  });

  it('is 11.27% for the MNIST sample, whose largest class (the 1s) has 1,127 of 10,000 digits', () => {
    expect(Math.max(...MNIST_SAMPLE_CLASS_COUNTS)).toBe(1127);
    expect(chanceAccuracy(mnistSample().labels, 10)).toBe(0.1127);
  });
});

describe('checkChanceAccuracy', () => {
  it('warns while the accuracy is within a quarter of the way from chance to perfect', () => {
    // chance 0.11: the line is 0.11 + 0.25 · 0.89 = 0.3325
    expect(checkChanceAccuracy(0.125, 0.11, 10, 1)?.code).toBe('chance-accuracy');
    expect(checkChanceAccuracy(0.05, 0.11, 10, 1)?.code).toBe('chance-accuracy');
    expect(checkChanceAccuracy(0.332, 0.11, 10, 1)?.code).toBe('chance-accuracy');
    expect(checkChanceAccuracy(0.333, 0.11, 10, 1)).toBeUndefined();
    // two balanced classes: the line is 0.5 + 0.25 · 0.5 = 0.625
    expect(checkChanceAccuracy(0.6, 0.5, 2, 1)?.code).toBe('chance-accuracy');
    expect(checkChanceAccuracy(0.7, 0.5, 2, 1)).toBeUndefined();
  });

  it('names the epoch, both accuracies, the class count and the likely causes', () => {
    const message = checkChanceAccuracy(0.1093, 0.1127, 10, 1)!.message;
    expect(message).toMatch(/^accuracy after epoch 1 is 10\.9%, still near chance \(always guessing the most common class scores 11\.3%; 10 classes\)\./);
    expect(message).toContain('unscaled inputs');
  });
});

describe("the seed notebook's mistake: raw 0..255 pixels with SGD lr 0.01", () => {
  // 6,000 training and 1,000 validation digits; 60 iterations of 100 rows make the first epoch.
  const valStart = 9000;
  function run(scale: number, lr: number) {
    const data = mnistRows(0, 6000, scale);
    const val = mnistRows(valStart, 1000, scale);
    const before = checkInputScale(featureStats(data.x));
    const net = Network.build(defaultSpec(10), { registry: builtinLayers(), inputShape: [784], rng: new Rng(7), classes: 10 });
    const result = train(net, data, val, { optimizer: new SGD({ lr }), batchSize: 100, epochs: 1, rng: new Rng(7) });
    return { before, result, val };
  }

  it('is reported before training (unscaled inputs) and after the first epoch (near chance, about 11%)', () => {
    // How far such a run gets in its first epoch depends on the seed: over seeds 1..8 the
    // validation accuracy ranged from 11% to 35% here, and from 12% to 40% in a NumPy
    // version of the book's TwoLayerNet on the same digits. Seed 7 is one that stalls at
    // chance after one epoch, as the notebook did; the sweep below covers the others.
    const { before, result, val } = run(255, 0.01);
    expect(before?.code).toBe('unscaled-inputs');
    const counts = new Array<number>(10).fill(0);
    for (const t of val.labels) counts[t]!++;
    const chance = Math.max(...counts) / val.labels.length;
    expect(chance).toBeGreaterThan(0.1);
    expect(chance).toBeLessThan(0.13);
    expect(result.history[0]!.valAccuracy).toBeLessThanOrEqual(chance + 0.02);
    const warning = result.warnings.find((w) => w.code === 'chance-accuracy');
    expect(warning?.message).toContain(`scores ${(chance * 100).toFixed(1)}%; 10 classes)`);
    expect(warning?.message).toMatch(/^accuracy after epoch 1 is 1[01]\.\d%/);
  });

  it.each([1, 2, 3, 4, 5, 6])('with seed %i: unscaled inputs before, and a stalled run reported after epoch 1', (seed) => {
    const data = mnistRows(0, 3000, 255);
    const val = mnistRows(valStart, 500, 255);
    const net = Network.build(defaultSpec(10), { registry: builtinLayers(), inputShape: [784], rng: new Rng(seed), classes: 10 });
    expect(checkInputScale(featureStats(data.x))?.code).toBe('unscaled-inputs');
    const result = train(net, data, val, { optimizer: new SGD({ lr: 0.01 }), batchSize: 100, epochs: 1, rng: new Rng(seed) });
    // Which symptom shows depends on the seed and on summation order: accuracy near chance, most
    // ReLUs dead, or both. A run that learns shows neither (the next test).
    const codes = result.warnings.map((w) => w.code);
    const why = `val accuracy ${result.history[0]!.valAccuracy}, dead ReLUs ${result.deadReluFraction}`;
    expect(codes.filter((c) => c === 'chance-accuracy' || c === 'dead-relu').length, why).toBeGreaterThan(0);
    expect(result.history[0]!.valAccuracy!, why).toBeLessThan(0.5);
  });

  it("is not reported for the same run on pixels scaled to 0..1 with the book's lr 0.1", () => {
    const { before, result } = run(1, 0.1);
    expect(before).toBeUndefined();
    expect(result.warnings.map((w) => w.code)).not.toContain('chance-accuracy');
    expect(result.warnings.map((w) => w.code)).not.toContain('unscaled-inputs');
    expect(result.history[0]!.valAccuracy).toBeGreaterThan(0.3);
  });
});

describe('a NaN or infinite loss', () => {
  const data = blobs(250, 4, 3, new Rng(5));
  // A plugin that passes its input through for `after` training forwards, then outputs NaN.
  const nanSpec = (after: number): NetworkSpec => ({
    layers: [{ type: 'affine', units: 8 }, { type: 'nan-after', after }, { type: 'relu' }, { type: 'affine', units: 3 }],
    loss: 'softmax-with-loss',
  });

  it("stops training and restores exactly the last good epoch's parameters", () => {
    const net = Network.build(nanSpec(12), { registry: testRegistry(), inputShape: [4], rng: new Rng(1), classes: 3 });
    const atEpoch: Record<string, Float32Array | Float64Array>[] = [];
    const epochs: EpochMetrics[] = [];
    // 250 rows in batches of 50: epochs end at iterations 5 and 10; iteration 13 gives NaN.
    const result = train(net, data, undefined, {
      optimizer: new SGD({ lr: 0.5 }),
      batchSize: 50,
      epochs: 10,
      rng: new Rng(2),
      onEpoch: (m) => {
        epochs.push(m);
        atEpoch.push(snapshotParams(net.params));
      },
    });
    expect(result.stopped).toBe('non-finite-loss');
    expect(result.iterations).toBe(12);
    expect(result.epochs).toBe(2);
    expect(result.history).toEqual(epochs);
    // After epoch 1 the doctor may also note this toy run's accuracy; the loss is reported once, last.
    expect(result.warnings.filter((w) => w.code === 'non-finite-loss')).toHaveLength(1);
    expect(result.warnings.at(-1)!.code).toBe('non-finite-loss');
    expect(result.warnings.at(-1)!.message).toMatch(
      /^the loss became NaN at iteration 13; training stopped and the model keeps the weights of the last good epoch \(2\)\. Lower the learning rate/,
    );
    expect(snapshotParams(net.params)).toEqual(atEpoch[1]);
    // Not the weights of iteration 12, which training had moved on to.
    expect(snapshotParams(net.params)).not.toEqual(atEpoch[0]);
    expect(Number.isFinite(result.trainAccuracy)).toBe(true);
    expect(result.trainAccuracy).toBe(net.accuracy(data.x, data.labels));
  });

  it('restores the initial parameters when the first epoch never ends', () => {
    const net = Network.build(nanSpec(3), { registry: testRegistry(), inputShape: [4], rng: new Rng(1), classes: 3 });
    const initial = snapshotParams(net.params);
    const result = train(net, data, undefined, { optimizer: new SGD({ lr: 0.5 }), batchSize: 50, epochs: 10, rng: new Rng(2) });
    expect(result.stopped).toBe('non-finite-loss');
    expect(result.iterations).toBe(3);
    expect(result.epochs).toBe(0);
    expect(result.history).toEqual([]);
    expect(result.warnings[0]!.message).toContain('at iteration 4;');
    expect(result.warnings[0]!.message).toContain('last good epoch (0)');
    expect(snapshotParams(net.params)).toEqual(initial);
  });

  it('is caught when a huge learning rate on raw pixels blows the weights up', () => {
    const data = mnistRows(0, 100, 255);
    const net = Network.build(defaultSpec(10), { registry: builtinLayers(), inputShape: [784], rng: new Rng(1), classes: 10 });
    const snapshots = [snapshotParams(net.params)];
    // 100 rows in batches of 100: one iteration per epoch.
    const result = train(net, data, undefined, {
      optimizer: new SGD({ lr: 1e5 }),
      batchSize: 100,
      epochs: 50,
      rng: new Rng(1),
      onEpoch: () => snapshots.push(snapshotParams(net.params)),
    });
    expect(result.stopped).toBe('non-finite-loss');
    const warning = result.warnings.find((w) => w.code === 'non-finite-loss')!;
    const restored = Number(/last good epoch \((\d+)\)/.exec(warning.message)![1]);
    // Three good epochs of one iteration each; the fourth iteration's loss is NaN.
    expect(warning.message).toMatch(/^the loss became NaN at iteration 4;/);
    expect([restored, result.epochs, result.iterations]).toEqual([3, 3, 3]);
    const expected = snapshots[restored]!;
    expect(Object.values(expected).every((a) => a.every(Number.isFinite))).toBe(true);
    expect(snapshotParams(net.params)).toEqual(expected);
    expect(snapshotParams(net.params)).not.toEqual(snapshots[0]);
  });
});

describe('deadReluFraction', () => {
  // inputShape [2] → affine 4 → relu → affine 3 → relu → affine 2, weights set by hand.
  const spec: NetworkSpec = {
    layers: [{ type: 'affine', units: 4 }, { type: 'relu' }, { type: 'affine', units: 3 }, { type: 'relu' }, { type: 'affine', units: 2 }],
    loss: 'softmax-with-loss',
  };
  function handBuilt(): Network {
    const net = Network.build(spec, { registry: builtinLayers(), inputShape: [2], rng: new Rng(1), dtype: 'float64' });
    // Hidden unit j of layer 1 gets x0·W[0][j] + x1·W[1][j] + b[j] (W is [inputs, units], row-major).
    // unit 0: x0 + x1 (alive for positive x); unit 1: −x0 − x1 (dead); unit 2: x0 − x1 − 10 (dead for x < 10);
    // unit 3: x0 − x1, alive only on the one row with x0 > x1.
    net.params.W1!.data.set([1, -1, 1, 1, 1, -1, -1, -1]);
    net.params.b1!.data.set([0, 0, -10, 0]);
    // Layer 2 from h = [h0, h1, h2, h3]: unit 0: h0 (alive); unit 1: −h0 − h3 (dead); unit 2: 0 (dead: 0 is not > 0).
    net.params.W2!.data.set([1, -1, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0]);
    net.params.b2!.data.set([0, 0, 0]);
    return net;
  }
  const x = new Tensor(Float64Array.from([1, 2, 2, 2, 3, 1]), [3, 2]);

  it('counts the ReLU units that output 0 for every row, over all ReLU layers', () => {
    // Dead: units 1 and 2 of the first ReLU, units 1 and 2 of the second: 4 of 7.
    expect(deadReluFraction(handBuilt(), x)).toBe(4 / 7);
  });

  it('gives the same fraction in chunks of any size: a unit alive in one chunk is alive', () => {
    // Unit 3 of the first ReLU fires on the last row only, so chunks of 1 and 2 must carry it over.
    for (const chunk of [1, 2, 3, 100]) expect(deadReluFraction(handBuilt(), x, chunk), `chunk ${chunk}`).toBe(4 / 7);
  });

  it('counts a unit alive when a single row makes it positive', () => {
    const oneRow = new Tensor(Float64Array.from([1, 2]), [1, 2]);
    // Without the row [3, 1], unit 3 of the first ReLU never fires either: 5 of 7.
    expect(deadReluFraction(handBuilt(), oneRow)).toBe(5 / 7);
  });

  it('is 0 without ReLU layers, and 1 when every unit is dead', () => {
    const sigmoidNet = Network.build(
      { layers: [{ type: 'affine', units: 4 }, { type: 'sigmoid' }, { type: 'affine', units: 2 }], loss: 'softmax-with-loss' },
      {
        registry: builtinLayers(),
        inputShape: [2],
        rng: new Rng(1),
      },
    );
    expect(deadReluFraction(sigmoidNet, x)).toBe(0);
    const net = handBuilt();
    net.params.b1!.data.fill(-100);
    expect(deadReluFraction(net, x)).toBe(1);
  });

  it("asks each layer's def whether it has dead units, never its type name", () => {
    // The same ReLU registered under another name (declaring deadUnits) counts; a plugin layer
    // that outputs zeros without declaring it does not.
    const renamed: NetworkSpec = { ...spec, layers: spec.layers.map((l) => (l.type === 'relu' ? { type: 'clamp-at-zero' } : l)) };
    const net = Network.build(renamed, { registry: passRegistry(), inputShape: [2], rng: new Rng(1), dtype: 'float64' });
    const hand = handBuilt();
    for (const k of Object.keys(hand.params)) net.params[k]!.data.set(hand.params[k]!.data);
    expect(net.layerDefs[1]!.capabilities?.deadUnits).toBe(true);
    expect(deadReluFraction(net, x)).toBe(4 / 7);
  });

  it('is what train reports at the end, with a dead-relu warning above the alert', () => {
    const net = handBuilt();
    const data = { x, labels: Int32Array.from([0, 1, 0]) };
    const result = train(net, data, undefined, { optimizer: new SGD({ lr: 1e-9 }), batchSize: 3, iterations: 1, rng: new Rng(1) });
    expect(result.deadReluFraction).toBe(4 / 7);
    expect(result.warnings.map((w) => w.code)).toContain('dead-relu');
  });
});

describe('checkDeadRelu', () => {
  it('warns above half of the units dead', () => {
    expect(DEAD_RELU_ALERT).toBe(0.5);
    expect(checkDeadRelu(0)).toBeUndefined();
    expect(checkDeadRelu(0.5)).toBeUndefined();
    expect(checkDeadRelu(0.51)?.code).toBe('dead-relu');
    expect(checkDeadRelu(4 / 7)?.message).toMatch(/^57\.1% of the ReLU units output 0 for every sample checked/);
    expect(checkDeadRelu(1)?.message).toContain('--init he');
  });
});
