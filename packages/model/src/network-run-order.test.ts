import { checkGradients } from '@dlfs/gradcheck';
import { builtinLayers, type LayerDef, LayerRegistry } from '@dlfs/layers';
import { type DType, Rng, Tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { LayerError, Network } from './network.js';
import type { NetworkSpec } from './spec.js';

// ReLU right before max pooling runs after it (Network.runOrder): the oracle is the same network
// run in the spec's order, from a registry whose ReLU does not declare commutesWithMax.

/** The built-in layers, but ReLU without commutesWithMax: every network runs in the spec's order. */
function specOrderRegistry(): LayerRegistry {
  const builtin = builtinLayers();
  const registry = new LayerRegistry();
  for (const type of builtin.types()) {
    const def = builtin.get(type);
    const { commutesWithMax: _dropped, ...capabilities } = def.capabilities ?? {};
    registry.register({ ...def, capabilities });
  }
  return registry;
}

const convNet: NetworkSpec = {
  inputShape: [2, 8, 8],
  layers: [
    { type: 'conv2d', filters: 3, size: 3, weightInitStd: 0.5 },
    { type: 'relu' },
    { type: 'max-pool', size: 2 },
    { type: 'affine', units: 5, weightInitStd: 0.5 },
    { type: 'relu' },
    { type: 'affine', units: 3, weightInitStd: 0.5 },
  ],
  loss: 'softmax-with-loss',
};

function build(spec: NetworkSpec, registry: LayerRegistry, dtype: DType, features = 128): Network {
  return Network.build(spec, { registry, inputShape: [features], rng: new Rng(7), dtype, classes: 3 });
}

/**
 * Inputs whose windows have ties and are often all below 0 after the conv: small whole numbers,
 * half of them 0, and in every other sample the first five of each 8-wide row's eight rows all 0
 * (there the conv gives its bias, 0, everywhere: windows tied at 0).
 */
function tiedInput(rows: number, features: number, dtype: DType): Tensor {
  const rng = new Rng(3);
  const x = new Tensor(dtype === 'float32' ? new Float32Array(rows * features) : new Float64Array(rows * features), [rows, features]);
  for (let i = 0; i < x.size; i++) {
    const r = Math.floor(i / features);
    const blank = r % 2 === 0 && Math.floor((i % 64) / 8) < 5;
    x.data[i] = blank || rng.uniform() < 0.5 ? 0 : Math.floor(rng.uniform() * 5) - 2;
  }
  return x;
}

const labels = [0, 1, 2, 1, 0, 2];

function bits(t: Tensor): number[] {
  return Array.from(t.data);
}

describe('ReLU before max pooling', () => {
  it('runs after it: conv, pool, ReLU, then the rest in the spec order', () => {
    expect(build(convNet, builtinLayers(), 'float64').runOrder).toEqual([0, 2, 1, 3, 4, 5]);
    expect(build(convNet, specOrderRegistry(), 'float64').runOrder).toEqual([0, 1, 2, 3, 4, 5]);
  });

  for (const dtype of ['float64', 'float32'] as const) {
    it(`gives the same scores, loss and gradients, bit for bit, as the spec's order (${dtype})`, () => {
      const moved = build(convNet, builtinLayers(), dtype);
      const inOrder = build(convNet, specOrderRegistry(), dtype);
      const x = tiedInput(6, 128, dtype);
      expect(bits(moved.predict(x))).toEqual(bits(inOrder.predict(x)));
      expect(moved.gradient(x, labels)).toBe(inOrder.gradient(x, labels));
      for (const name of Object.keys(inOrder.grads)) expect(bits(moved.grads[name]!), name).toEqual(bits(inOrder.grads[name]!));
      // Some windows had every element at or below 0, and some a tie for the max.
      const conv = inOrder.layers[0]!.forward(x.reshape([6, 2, 8, 8]), { train: false });
      let negative = 0;
      let tied = 0;
      for (let plane = 0; plane < 6 * 3; plane++) {
        for (let oy = 0; oy < 3; oy++) {
          for (let ox = 0; ox < 3; ox++) {
            const w = [0, 1, 6, 7].map((d) => conv.data[plane * 36 + oy * 12 + ox * 2 + d]!);
            const max = Math.max(...w);
            if (max <= 0) negative++;
            if (w.filter((v) => v === max).length > 1) tied++;
          }
        }
      }
      expect(negative).toBeGreaterThan(5);
      expect(tied).toBeGreaterThan(5);
    });
  }

  it('passes the gradient check (the numerical gradient as oracle)', () => {
    const net = build(convNet, builtinLayers(), 'float64');
    const x = new Tensor(
      Float64Array.from(tiedInput(6, 128, 'float64').data, (v, i) => v + 0.01 * Math.sin(i)),
      [6, 128],
    );
    const report = checkGradients(net.gradientCheckTarget(x, labels));
    expect(report.ok, report.summary).toBe(true);
  });

  it('moves past every pooling layer in a row, and not past anything else', () => {
    const spec: NetworkSpec = {
      inputShape: [1, 8, 8],
      layers: [
        { type: 'relu' },
        { type: 'max-pool', size: 2 },
        { type: 'max-pool', size: 2 },
        { type: 'relu' },
        { type: 'affine', units: 3 },
        { type: 'relu' },
      ],
      loss: 'softmax-with-loss',
    };
    const net = build(spec, builtinLayers(), 'float64', 64);
    expect(net.runOrder).toEqual([1, 2, 0, 3, 4, 5]);
    const inOrder = build(spec, specOrderRegistry(), 'float64', 64);
    const x = tiedInput(6, 64, 'float64');
    expect(bits(net.predict(x))).toEqual(bits(inOrder.predict(x)));
    expect(net.gradient(x, labels)).toBe(inOrder.gradient(x, labels));
    expect(bits(net.grads.W1!)).toEqual(bits(inOrder.grads.W1!));
    // The layers themselves stay in the spec's order, with their shapes.
    expect(net.layers.map((l) => l.outputShape)).toEqual(inOrder.layers.map((l) => l.outputShape));
  });
});

/** A plugin that declares commutesWithMax: y = x, with a param or failing as asked. */
function passThrough(opts: { param?: boolean; failBelow?: number; throwInForward?: boolean }): LayerDef {
  return {
    type: 'pass',
    capabilities: { commutesWithMax: true },
    create: (_config, ctx) => {
      const size = ctx.inputShape.reduce((a, b) => a * b, 1);
      if (opts.failBelow !== undefined && size < opts.failBelow) throw new RangeError(`pass: ${size} features is too few`);
      const params: Record<string, Tensor> = opts.param ? { w: new Tensor(new Float64Array(1), [1]) } : {};
      const grads: Record<string, Tensor> = opts.param ? { w: new Tensor(new Float64Array(1), [1]) } : {};
      return {
        params,
        grads,
        outputShape: ctx.inputShape,
        forward(x: Tensor) {
          if (opts.throwInForward) throw new Error('pass: my forward broke');
          return x;
        },
        backward: (dout: Tensor) => dout,
      };
    },
  };
}

describe('a plugin that declares commutesWithMax', () => {
  const spec: NetworkSpec = {
    inputShape: [1, 8, 8],
    layers: [{ type: 'pass' }, { type: 'max-pool', size: 2 }, { type: 'affine', units: 3 }],
    loss: 'softmax-with-loss',
  };
  const withPlugin = (def: LayerDef) => builtinLayers().register(def, { source: './my-layers.mjs' });

  it('runs after the pooling when it has no params', () => {
    expect(build(spec, withPlugin(passThrough({})), 'float64', 64).runOrder).toEqual([1, 0, 2]);
  });

  it('stays in the spec order when it has params, or cannot be made for the pooled shape', () => {
    expect(build(spec, withPlugin(passThrough({ param: true })), 'float64', 64).runOrder).toEqual([0, 1, 2]);
    expect(build(spec, withPlugin(passThrough({ failBelow: 64 })), 'float64', 64).runOrder).toEqual([0, 1, 2]);
  });

  it('is named by its spec position when it fails after moving', () => {
    const net = build(spec, withPlugin(passThrough({ throwInForward: true })), 'float64', 64);
    expect(net.runOrder).toEqual([1, 0, 2]);
    let err: unknown;
    try {
      net.predict(tiedInput(2, 64, 'float64'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LayerError);
    expect((err as LayerError).position).toBe(0);
    expect((err as Error).message).toContain('./my-layers.mjs: layer "pass" (layers[0]) failed in forward: pass: my forward broke');
  });
});
