import { builtinLayers, type LayerDef } from '@dlfs/layers';
import { SGD } from '@dlfs/optimizers';
import { randn, Rng, Tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { LayerError, Network } from './network.js';
import { defaultSpec, type NetworkSpec, SpecError } from './spec.js';
import { train } from './trainer.js';
import { blobs } from './test-support/index.js';

/** A plugin written in plain JavaScript from the contract, without outputShape: y = x, or a flaw. */
function plainPlugin(flaw?: 'throws-in-forward' | 'throws-in-backward' | 'bad-grads' | 'returns-array'): LayerDef {
  return {
    type: 'plain',
    create: () =>
      ({
        params: flaw === 'bad-grads' ? { g: new Tensor(new Float32Array(2), [2]) } : {},
        grads: {},
        forward(x: Tensor, ctx?: { train: boolean }) {
          if (flaw === 'throws-in-forward' && ctx?.train) throw new Error('plain: my forward broke');
          return flaw === 'returns-array' && ctx?.train ? [1, 2] : x;
        },
        backward(dout: Tensor) {
          if (flaw === 'throws-in-backward') throw new RangeError('plain: my backward broke');
          return dout;
        },
      }) as never,
  };
}

const spec: NetworkSpec = { layers: [{ type: 'plain' }, { type: 'affine', units: 3 }], loss: 'softmax-with-loss' };
const build = (def: LayerDef, from = './my-layers.mjs') =>
  Network.build(spec, { registry: builtinLayers().register(def, { source: from }), inputShape: [4], rng: new Rng(1), classes: 3 });

describe('plugin layers in a network', () => {
  it('work without outputShape: it is found by one forward pass of a zero sample', () => {
    const net = build(plainPlugin());
    expect(net.layers[0]!.outputShape).toEqual([4]);
    expect(net.layerSources).toEqual(['./my-layers.mjs', undefined]);
    const result = train(net, blobs(60, 4, 3, new Rng(2)), undefined, { optimizer: new SGD({ lr: 0.5 }), batchSize: 20, iterations: 5, rng: new Rng(3) });
    expect(result.iterations).toBe(5);
  });

  it('are checked against the contract once, at build, the error naming the module, type, position and member', () => {
    let caught: unknown;
    try {
      build(plainPlugin('bad-grads'));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SpecError);
    expect((caught as Error).message).toBe(
      'spec: layers[0] (plain, from ./my-layers.mjs): grads.g: is missing: grads needs a tensor for every key of params (its input has shape [4])',
    );
  });

  it("report a throw inside forward or backward as the plugin's error, with module, type and position", () => {
    for (const [flaw, pass, message] of [
      ['throws-in-forward', 'forward', 'plain: my forward broke'],
      ['throws-in-backward', 'backward', 'plain: my backward broke'],
      ['returns-array', 'forward', 'returned object, not a Tensor'],
    ] as const) {
      const net = build(plainPlugin(flaw));
      let caught: unknown;
      try {
        net.gradient(randn([2, 4], new Rng(4), { dtype: 'float32' }), [0, 1]);
      } catch (err) {
        caught = err;
      }
      expect(caught, flaw).toBeInstanceOf(LayerError);
      expect((caught as Error).message).toBe(`./my-layers.mjs: layer "plain" (layers[0]) failed in ${pass}: ${message}`);
    }
  });

  it('do not let a huge layer after them allocate: its own tensors are checked against the limits from its real input', () => {
    const huge: NetworkSpec = { layers: [{ type: 'plain' }, { type: 'affine', units: 2 ** 31 }], loss: 'softmax-with-loss' };
    const started = performance.now();
    expect(() =>
      Network.build(huge, { registry: builtinLayers().register(plainPlugin(), { source: './my-layers.mjs' }), inputShape: [2], rng: new Rng(1) }),
    ).toThrow(/^spec: layers\[1\] \(affine\): W \[2, 2147483648\] would have 4,294,967,296 elements \(16 GiB as float32\)/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("leave a built-in layer's errors as they are", () => {
    const net = Network.build(defaultSpec(3, 4), { registry: builtinLayers(), inputShape: [4], rng: new Rng(1) });
    expect(() => net.layers[0]!.backward(randn([2, 4], new Rng(1)))).toThrow(/before forward/);
  });
});

describe('Network.build checks its arguments', () => {
  const ok = { registry: builtinLayers(), inputShape: [4], rng: new Rng(1) };
  it.each([
    [{ ...ok, inputShape: 4 }, /inputShape must be a non-empty array of whole numbers/],
    [{ ...ok, inputShape: [] }, /inputShape must be/],
    [{ ...ok, rng: undefined }, /rng must be an Rng from @dlfs\/tensor/],
    [{ ...ok, rng: 42 }, /rng must be an Rng/],
    [{ ...ok, registry: undefined }, /registry must be a LayerRegistry/],
    [{ ...ok, registry: ['affine'] }, /registry must be a LayerRegistry/],
    [{ ...ok, dtype: 'int8' }, /dtype must be "float32" or "float64"/],
  ])('%#: a TypeError naming the argument', (opts, message) => {
    expect(() => Network.build(defaultSpec(3), opts as never)).toThrow(TypeError);
    expect(() => Network.build(defaultSpec(3), opts as never)).toThrow(message);
  });
});
