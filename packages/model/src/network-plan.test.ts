import { builtinLayers, type LayerDef } from '@dlfs/layers';
import { Rng } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { Network } from './network.js';
import { MAX_LAYERS, MAX_NETWORK_ELEMENTS, MAX_TENSOR_ELEMENTS, planNetwork } from './network-plan.js';
import { defaultSpec, type NetworkSpec, SpecError } from './spec.js';
import { passRegistry, testRegistry } from './test-support/index.js';

/** The SpecError `run` throws, and how long it took and how much array memory it took on the way. */
function refused(run: () => unknown): { err: SpecError; ms: number; arrayBytes: number } {
  const before = process.memoryUsage().arrayBuffers;
  const start = performance.now();
  try {
    run();
  } catch (err) {
    const ms = performance.now() - start;
    expect(err).toBeInstanceOf(SpecError);
    return { err: err as SpecError, ms, arrayBytes: process.memoryUsage().arrayBuffers - before };
  }
  throw new Error('the spec was accepted');
}

const chapter5 = defaultSpec(10, 50);

describe('planNetwork', () => {
  it('gives every layer its shapes without building it: the chapter-5 network', () => {
    const plan = planNetwork(chapter5, { registry: builtinLayers(), inputShape: [784] });
    expect(plan.unplannedFrom).toBeUndefined();
    expect(plan.inputShape).toEqual([784]);
    expect(plan.outputShape).toEqual([10]);
    expect(plan.layers.map((l) => [l.type, l.inputShape, l.outputShape, l.params])).toEqual([
      ['affine', [784], [50], { W: [784, 50], b: [50] }],
      ['relu', [50], [50], {}],
      ['affine', [50], [10], { W: [50, 10], b: [10] }],
    ]);
    // 784·50 + 50 + 50·10 + 10 parameters, 4 bytes each as float32 (the default, as Network.build).
    expect(plan.elements).toBe(39_760);
    expect(plan.bytes).toBe(159_040);
    expect(planNetwork(chapter5, { registry: builtinLayers(), inputShape: [784], dtype: 'float64' }).bytes).toBe(318_080);
  });

  it('plans the shapes Network.build makes, under the same names', () => {
    const spec: NetworkSpec = {
      inputShape: [1, 2, 3],
      layers: [{ type: 'affine', units: 5 }, { type: 'sigmoid' }, { type: 'clamp-at-zero' }, { type: 'affine', units: 4 }, { type: 'relu' }],
      loss: 'softmax-with-loss',
    };
    const plan = planNetwork(spec, { registry: passRegistry(), inputShape: [6] });
    const net = Network.build(spec, { registry: passRegistry(), inputShape: [6], rng: new Rng(1) });
    expect(plan.inputShape).toEqual(net.inputShape);
    expect(plan.outputShape).toEqual(net.outputShape);
    plan.layers.forEach((l, i) => {
      expect(l.outputShape).toEqual(net.layers[i]!.outputShape);
      expect(Object.entries(l.params)).toEqual(Object.entries(net.layers[i]!.params).map(([k, t]) => [k, t.shape]));
    });
  });

  it('knows nothing from a layer whose def has no shapes on, and says where that starts', () => {
    const spec: NetworkSpec = {
      layers: [{ type: 'affine', units: 5 }, { type: 'running-centre' }, { type: 'affine', units: 2_000_000_000 }],
      loss: 'softmax-with-loss',
    };
    const plan = planNetwork(spec, { registry: passRegistry(), inputShape: [4] });
    expect(plan.unplannedFrom).toBe(1);
    expect(plan.outputShape).toBeUndefined();
    expect(plan.layers.map((l) => l.type)).toEqual(['affine']);
    expect(plan.elements).toBe(25);
  });

  it('checks each config with the def, naming the layer as Network.build does', () => {
    const spec: NetworkSpec = { layers: [{ type: 'relu' }, { type: 'affine', units: 0 }], loss: 'softmax-with-loss' };
    const { err } = refused(() => planNetwork(spec, { registry: builtinLayers(), inputShape: [3], source: 'net.json' }));
    expect(err.message).toBe('net.json: layers[1] (affine): affine: "units" must be a whole number >= 1, got 0 (its input has shape [3])');
    expect(refused(() => Network.build(spec, { registry: builtinLayers(), inputShape: [3], rng: new Rng(0), source: 'net.json' })).err.message).toBe(
      err.message,
    );
    const unknown = refused(() => planNetwork({ layers: [{ type: 'tanh' }], loss: 'softmax-with-loss' }, { registry: builtinLayers(), inputShape: [3] }));
    expect(unknown.err.message).toBe(
      'spec: layers[0] (tanh): unknown layer type "tanh"; known types: affine, batch-norm, conv2d, dropout, max-pool, relu, sigmoid (its input has shape [3])',
    );
  });

  it("refuses a spec inputShape that does not hold the data's features, as Network.build", () => {
    const spec: NetworkSpec = { inputShape: [1, 28, 28], layers: [{ type: 'relu' }], loss: 'softmax-with-loss' };
    expect(refused(() => planNetwork(spec, { registry: builtinLayers(), inputShape: [780], source: 'net.json' })).err.message).toBe(
      'net.json: inputShape: [1, 28, 28] takes 784 features per sample but the data has 780 per row; ' +
        'give an inputShape whose sizes multiply to 780, or data with 784 feature columns',
    );
  });

  it('takes only a shape as inputShape', () => {
    for (const inputShape of [[], [0], [2.5], 'x']) {
      expect(() => planNetwork(chapter5, { registry: builtinLayers(), inputShape: inputShape as never })).toThrow(TypeError);
    }
  });
});

describe('the limits', () => {
  it('are 1,000 layers, 2^27 elements per tensor and 2^28 for the params and state together', () => {
    expect(MAX_LAYERS).toBe(1000);
    expect(MAX_TENSOR_ELEMENTS).toBe(134_217_728);
    expect(MAX_NETWORK_ELEMENTS).toBe(268_435_456);
  });

  it('refuse an affine of two billion units at once, naming the layer and the bytes, in planNetwork and Network.build', () => {
    const spec: NetworkSpec = {
      layers: [{ type: 'affine', units: 50 }, { type: 'relu' }, { type: 'affine', units: 2_000_000_000 }],
      loss: 'softmax-with-loss',
    };
    const message =
      'net.json: layers[2] (affine): W [50, 2000000000] would have 100,000,000,000 elements (373 GiB as float32); ' +
      'the limit is 134,217,728 (512 MiB as float32) per tensor: make the layer smaller (its input has shape [50])';
    for (const run of [
      () => planNetwork(spec, { registry: builtinLayers(), inputShape: [784], source: 'net.json' }),
      () => Network.build(spec, { registry: builtinLayers(), inputShape: [784], rng: new Rng(0), source: 'net.json' }),
    ]) {
      const { err, ms, arrayBytes } = refused(run);
      expect(err.message).toBe(message);
      // Nothing of the 373 GiB was taken: well under a second, and no more array memory than the first layer's 157 KiB.
      expect(ms).toBeLessThan(1000);
      expect(arrayBytes).toBeLessThan(16 * 2 ** 20);
    }
  });

  it('refuse a billion features per sample before any layer', () => {
    const { err, ms } = refused(() => Network.build(chapter5, { registry: builtinLayers(), inputShape: [1_000_000_000], rng: new Rng(0), source: 'net.json' }));
    expect(err.message).toBe(
      'net.json: inputShape: one input sample [1000000000] would have 1,000,000,000 elements (3.7 GiB as float32); ' +
        'the limit is 134,217,728 (512 MiB as float32) per tensor: give rows with fewer features',
    );
    expect(ms).toBeLessThan(1000);
  });

  it('refuse more than MAX_LAYERS layers, and take MAX_LAYERS', () => {
    const layers = (n: number): NetworkSpec => ({ layers: Array.from({ length: n }, () => ({ type: 'relu' })), loss: 'identity-with-loss' });
    const { err, ms } = refused(() => Network.build(layers(5000), { registry: builtinLayers(), inputShape: [3], rng: new Rng(0), source: 'net.json' }));
    expect(err.message).toBe(
      'net.json: layers: has 5,000 layers but a network may have at most 1,000 (MAX_LAYERS); ' +
        'a hand-edited or generated spec may have repeated them: give the layers you mean',
    );
    expect(ms).toBeLessThan(1000);
    expect(planNetwork(layers(MAX_LAYERS), { registry: builtinLayers(), inputShape: [3] }).layers).toHaveLength(MAX_LAYERS);
  });

  it('refuse params and state that reach past 2^28 elements together, at the layer that crosses it', () => {
    // Each affine 8192 → 8192 holds 2^26 + 2^13 elements: the fourth crosses 2^28 with its W.
    const spec: NetworkSpec = { layers: Array.from({ length: 4 }, () => ({ type: 'affine', units: 8192 })), loss: 'identity-with-loss' };
    const { err } = refused(() => planNetwork(spec, { registry: builtinLayers(), inputShape: [8192], dtype: 'float64' }));
    expect(err.message).toBe(
      "spec: layers[3] (affine): with W [8192, 8192] the network's params and state would reach 268,460,032 elements (2 GiB as float64); " +
        'a network may have at most 268,435,456 (2 GiB as float64): make its layers smaller or fewer (its input has shape [8192])',
    );
    expect(planNetwork({ ...spec, layers: spec.layers.slice(0, 3) }, { registry: builtinLayers(), inputShape: [8192] }).elements).toBe(3 * (2 ** 26 + 2 ** 13));
  });

  it("refuse a plugin's output per sample past the limit, and shapes that are not shapes, naming the plugin's module", () => {
    const grow: LayerDef = {
      type: 'grow',
      create: () => {
        throw new Error('never built');
      },
      shapes: (_config, inputShape) => ({ outputShape: [inputShape[0]!, 2 ** 27], params: {} }),
    };
    const liar: LayerDef = { ...grow, type: 'liar', shapes: () => ({ outputShape: [-1], params: {} }) };
    const registry = testRegistry().register(grow, { source: './grow.mjs' }).register(liar);
    const spec = (type: string): NetworkSpec => ({ layers: [{ type: 'relu' }, { type }], loss: 'identity-with-loss' });
    expect(refused(() => planNetwork(spec('grow'), { registry, inputShape: [2] })).err.message).toBe(
      'spec: layers[1] (grow, from ./grow.mjs): its output per sample [2, 134217728] would have 268,435,456 elements (1 GiB as float32); ' +
        'the limit is 134,217,728 (512 MiB as float32) per tensor: make the layer smaller (its input has shape [2])',
    );
    expect(refused(() => planNetwork(spec('liar'), { registry, inputShape: [2] })).err.message).toBe(
      'spec: layers[1] (liar): shapes() must give outputShape as a non-empty list of whole numbers >= 1, got [-1] (its input has shape [2])',
    );
  });

  it('leave a layer after one without shapes to Network.build', () => {
    const spec: NetworkSpec = { layers: [{ type: 'gain' }, { type: 'affine', units: 3 }], loss: 'softmax-with-loss' };
    expect(planNetwork(spec, { registry: testRegistry(), inputShape: [2_000] }).unplannedFrom).toBe(0);
  });
});
