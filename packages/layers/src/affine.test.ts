import { checkLayer } from '@dlfs/gradcheck';
import { Rng, ShapeError, type Tensor, tensor, zeros } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { Affine, affine } from './affine.js';
import { LayerConfigError } from './layer-config.js';
import { expectTensorClose } from './test-support/expect-close.js';
import { expectShapesAsCreated } from './test-support/expect-shapes.js';

function params(layer: { params: Readonly<Record<string, Tensor>> }): { W: Tensor; b: Tensor } {
  const { W, b } = layer.params;
  if (W === undefined || b === undefined) throw new Error('expected params W and b');
  return { W, b };
}

describe('Affine', () => {
  // Numbers computed with python3/numpy: out = x @ W + b, dx = d @ W.T, dW = x.T @ d, db = d.sum(0).
  const W = (): Tensor =>
    tensor([
      [0.1, -0.2],
      [0.3, 0.4],
      [-0.5, 0.6],
    ]);
  const b = (): Tensor => tensor([0.01, -0.02]);
  const x = tensor([
    [1, 2, 3],
    [-1, 0.5, 2],
  ]);
  const dout = tensor([
    [1, -1],
    [0.5, 2],
  ]);

  it('forward computes x · W + b', () => {
    expectTensorClose(new Affine(W(), b()).forward(x), [2, 2], [-0.79, 2.38, -0.94, 1.58]);
  });

  it('backward computes dx = dout · Wᵀ, dW = xᵀ · dout, db = Σ dout', () => {
    const layer = new Affine(W(), b());
    layer.forward(x);
    const dx = layer.backward(dout);
    expectTensorClose(dx, [2, 3], [0.3, -0.1, -1.1, -0.35, 0.95, 0.95]);
    expectTensorClose(layer.grads.W, [3, 2], [0.5, -3, 2.25, -1, 4, 1]);
    expectTensorClose(layer.grads.b, [2], [1.5, 1]);
  });

  it('flattens an N-D input and returns dx in the input shape', () => {
    // Computed with python3/numpy: x = np.arange(8.).reshape(2, 1, 2, 2) - 3.5, flattened to x2 = x.reshape(2, -1).
    const x4 = tensor([
      [
        [
          [-3.5, -2.5],
          [-1.5, -0.5],
        ],
      ],
      [
        [
          [0.5, 1.5],
          [2.5, 3.5],
        ],
      ],
    ]);
    const W4 = tensor([
      [0.1, 0.2, 0.3],
      [-0.1, 0.0, 0.2],
      [0.5, -0.4, 0.1],
      [0.0, 0.3, -0.2],
    ]);
    const layer = new Affine(W4, tensor([1, 0, -1]));
    expectTensorClose(layer.forward(x4), [2, 3], [0.15, -0.25, -2.6, 2.15, 0.15, -1]);
    const dx = layer.backward(
      tensor([
        [1, 0, -1],
        [2, 1, 0.5],
      ]),
    );
    // (d @ W.T).reshape(x.shape), x2.T @ d, d.sum(0)
    expectTensorClose(dx, [2, 1, 2, 2], [-0.2, -0.3, 0.4, 0.2, 0.55, -0.1, 0.65, 0.2]);
    expectTensorClose(layer.grads.W, [4, 3], [-2.5, 0.5, 3.75, 0.5, 1.5, 3.25, 3.5, 2.5, 2.75, 6.5, 3.5, 2.25]);
    expectTensorClose(layer.grads.b, [3], [3, 1, -0.5]);
  });

  it('overwrites the same grad tensors on every backward instead of accumulating', () => {
    const layer = new Affine(W(), b());
    const { W: dW, b: db } = layer.grads;
    for (let i = 0; i < 2; i++) {
      layer.forward(x);
      layer.backward(dout);
    }
    expect(layer.grads.W).toBe(dW);
    expect(layer.grads.b).toBe(db);
    expectTensorClose(dW, [3, 2], [0.5, -3, 2.25, -1, 4, 1]);
    expectTensorClose(db, [2], [1.5, 1]);
  });

  it('does not change the params or dout in backward', () => {
    const layer = new Affine(W(), b());
    layer.forward(x);
    const d = dout.clone();
    layer.backward(d);
    expect(Array.from(d.data)).toEqual(Array.from(dout.data));
    expectTensorClose(layer.params.W, [3, 2], [0.1, -0.2, 0.3, 0.4, -0.5, 0.6]);
    expectTensorClose(layer.params.b, [2], [0.01, -0.02]);
  });

  it('refuses an input whose feature size does not match W, naming both shapes', () => {
    const layer = new Affine(W(), b());
    const bad = tensor([[1, 2, 3, 4]]);
    expect(() => layer.forward(bad)).toThrow(ShapeError);
    expect(() => layer.forward(bad)).toThrow(/\[1, 4\].*\[3, 2\]/);
    expect(() => layer.forward(tensor(1))).toThrow(ShapeError);
  });

  it('refuses a dout that does not match the forward output, naming both shapes', () => {
    const layer = new Affine(W(), b());
    layer.forward(x);
    expect(() => layer.backward(tensor([[1, 2]]))).toThrow(/\[1, 2\].*\[2, 2\]/);
  });

  it('throws when backward comes before forward', () => {
    expect(() => new Affine(W(), b()).backward(dout)).toThrow(/before forward/);
  });

  it('refuses a b that does not fit W, or a W that is not 2-D', () => {
    expect(() => new Affine(W(), tensor([1, 2, 3]))).toThrow(/\[3, 2\].*\[3\]/);
    expect(() => new Affine(tensor([1, 2]), tensor([1]))).toThrow(ShapeError);
    expect(() => new Affine(W(), zeros([2], 'float32'))).toThrow(/float64.*float32/);
  });

  it('computes in the dtype of its params and returns dx in the dtype of the input', () => {
    const f32 = new Affine(W().astype('float32'), b().astype('float32'));
    const y32 = f32.forward(x.astype('float32'));
    expect(y32.dtype).toBe('float32');
    expectTensorClose(y32, [2, 2], [-0.79, 2.38, -0.94, 1.58], 5);
    expect(f32.backward(dout.astype('float32')).dtype).toBe('float32');
    expect(f32.grads.W.dtype).toBe('float32');
    expect(f32.grads.b.dtype).toBe('float32');

    const f64 = new Affine(W(), b());
    expect(f64.forward(x.astype('float32')).dtype).toBe('float64');
    expect(f64.backward(dout).dtype).toBe('float32');
  });
});

describe('affine def', () => {
  it('creates W [inputSize, units] as 0.01 · N(0, 1) draws from ctx.rng and b = 0', () => {
    const layer = affine.create({ units: 3 }, { rng: new Rng(7), inputShape: [1, 2, 2] });
    const { W, b } = params(layer);
    expect(W.shape).toEqual([4, 3]);
    expect(W.dtype).toBe('float64');
    expect(Array.from(b.data)).toEqual([0, 0, 0]);
    expect(layer.outputShape).toEqual([3]);
    // The oracle: the same seed's normal draws, row-major, scaled by the book's default std.
    const rng = new Rng(7);
    for (let i = 0; i < W.size; i++) expect(W.data[i]).toBeCloseTo(0.01 * rng.normal(), 15);
  });

  it('gives the same weights for the same seed and other weights for another seed', () => {
    const make = (seed: number): number[] => Array.from(params(affine.create({ units: 5 }, { rng: new Rng(seed), inputShape: [6] })).W.data);
    expect(make(1)).toEqual(make(1));
    expect(make(1)).not.toEqual(make(2));
  });

  it('has sample std near 0.01, √(1/n) for xavier and √(2/n) for he', () => {
    const sampleStd = (weightInitStd?: number | 'xavier' | 'he'): number => {
      const config = weightInitStd === undefined ? { units: 100 } : { units: 100, weightInitStd };
      const { W } = params(affine.create(config, { rng: new Rng(3), inputShape: [100] }));
      let s = 0;
      for (let i = 0; i < W.size; i++) s += W.data[i]! ** 2;
      return Math.sqrt(s / W.size);
    };
    // 10 000 draws: the sample std is within about 1 % of the true one; 5 % leaves room.
    expect(Math.abs(sampleStd() / 0.01 - 1)).toBeLessThan(0.05);
    expect(Math.abs(sampleStd(0.5) / 0.5 - 1)).toBeLessThan(0.05);
    expect(Math.abs(sampleStd('xavier') / Math.sqrt(1 / 100) - 1)).toBeLessThan(0.05);
    expect(Math.abs(sampleStd('he') / Math.sqrt(2 / 100) - 1)).toBeLessThan(0.05);
  });

  it('creates params and grads in ctx.dtype', () => {
    const layer = affine.create({ units: 2 }, { rng: new Rng(0), inputShape: [3], dtype: 'float32' });
    for (const t of [...Object.values(layer.params), ...Object.values(layer.grads)]) expect(t.dtype).toBe('float32');
    expect(Object.keys(layer.grads).sort()).toEqual(['W', 'b']);
    expect(layer.grads.W?.shape).toEqual([3, 2]);
    expect(layer.grads.b?.shape).toEqual([2]);
  });

  it('refuses a bad inputShape', () => {
    expect(() => affine.create({ units: 2 }, { rng: new Rng(0), inputShape: [3, 0] })).toThrow(/inputShape must list whole numbers >= 1/);
  });

  it('validate accepts good configs and returns them typed', () => {
    expect(affine.validate!({ units: 50 })).toEqual({ units: 50 });
    expect(affine.validate!({ units: 10, weightInitStd: 'he' })).toEqual({ units: 10, weightInitStd: 'he' });
    expect(affine.validate!({ units: 10, weightInitStd: 0.1 })).toEqual({ units: 10, weightInitStd: 0.1 });
  });

  it('validate rejects bad configs with a message naming the field and the value', () => {
    expect(() => affine.validate!({ units: '50x' })).toThrow('affine: "units" must be a whole number >= 1, got "50x"');
    expect(() => affine.validate!({ units: 0 })).toThrow('affine: "units" must be a whole number >= 1, got 0');
    expect(() => affine.validate!({ units: 2.5 })).toThrow('got 2.5');
    expect(() => affine.validate!({})).toThrow('affine: "units" must be a whole number >= 1, got undefined');
    expect(() => affine.validate!({ units: 5, weightInitStd: 'glorot' })).toThrow(
      'affine: "weightInitStd" must be a number > 0, "xavier" or "he", got "glorot"',
    );
    expect(() => affine.validate!({ units: 5, weightInitStd: -1 })).toThrow('got -1');
    expect(() => affine.validate!({ units: 5, unit: 5 })).toThrow('affine: unknown config key "unit"; known keys: units, weightInitStd');
    expect(() => affine.validate!([5])).toThrow('affine: config must be an object such as { "units": 50 }, got [5]');
    expect(() => affine.validate!(null)).toThrow(LayerConfigError);
  });

  it('create checks its config too', () => {
    expect(() => affine.create({ units: -1 }, { rng: new Rng(0), inputShape: [2] })).toThrow(/"units"/);
  });

  it('describes itself and every config field', () => {
    expect(affine.description).toMatch(/affine|fully connected/i);
    expect(Object.keys(affine.configFields ?? {})).toEqual(['units', 'weightInitStd']);
  });

  it('shapes gives the shapes create makes, W and b in that order, without allocating', () => {
    expectShapesAsCreated(affine, { units: 3 }, [1, 2, 2]);
    expectShapesAsCreated(affine, { units: 5, weightInitStd: 'he' }, [6]);
    expectShapesAsCreated(affine, { units: 1 }, [1]);
    // Two billion units on 784 inputs: 1.5 · 10^12 weights, which create could never allocate.
    expect(affine.shapes!({ units: 2_000_000_000 }, [784])).toEqual({ outputShape: [2_000_000_000], params: { W: [784, 2_000_000_000], b: [2_000_000_000] } });
    expect(() => affine.shapes!({ units: 0 }, [3])).toThrow('affine: "units" must be a whole number >= 1, got 0');
    expect(() => affine.shapes!({ units: 2 }, [3, 0])).toThrow(/inputShape must list whole numbers >= 1/);
  });

  it('passes the conformance kit', () => {
    const report = checkLayer(affine, { units: 3 }, { inputShape: [4], seed: 1 });
    expect(report.ok, report.summary).toBe(true);
  });

  it('passes the conformance kit on an N-D sample shape with he init', () => {
    const report = checkLayer(affine, { units: 2, weightInitStd: 'he' }, { inputShape: [1, 2, 2], seed: 5, batch: 3 });
    expect(report.ok, report.summary).toBe(true);
  });
});

describe('Affine in a training loop', () => {
  const make = (): Affine => affine.create({ units: 3 }, { rng: new Rng(5), inputShape: [4], dtype: 'float64' }) as Affine;
  const x = tensor([
    [0.5, -1, 2, 0],
    [1, 0.25, -0.5, 3],
  ]);
  const dout = tensor([
    [1, -2, 0.5],
    [0.25, 1, -1],
  ]);

  it('fills the same grads without dx when the input gradient is not needed', () => {
    const full = make();
    full.forward(x, { train: true });
    full.backward(dout);
    const firstLayer = make();
    firstLayer.forward(x, { train: true });
    const none = firstLayer.backward(dout, { inputGradient: false });
    expect(none.size).toBe(0);
    expect(Array.from(firstLayer.grads.W.data)).toEqual(Array.from(full.grads.W.data));
    expect(Array.from(firstLayer.grads.b.data)).toEqual(Array.from(full.grads.b.data));
  });

  it('reuses its output buffer per mode, so an evaluation pass never overwrites the training output', () => {
    const layer = make();
    const trainOut = layer.forward(x, { train: true });
    const copy = Array.from(trainOut.data);
    expect(layer.forward(x, { train: true })).toBe(trainOut);
    const evalOut = layer.forward(tensor([[9, 9, 9, 9]]));
    expect(evalOut).not.toBe(trainOut);
    expect(Array.from(trainOut.data)).toEqual(copy);
  });
});
