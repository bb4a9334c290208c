import { checkLayer } from '@dlfs/gradcheck';
import { full, randn, Rng, type Tensor, tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { Dropout, dropout } from './dropout.js';
import { LayerConfigError } from './layer-config.js';
import { countAllocations } from './test-support/count-allocations.js';
import { expectTensorClose } from './test-support/expect-close.js';
import { expectShapesAsCreated } from './test-support/expect-shapes.js';

/** The mask a training pass drew: forward of ones is 1 where kept, 0 where dropped. */
function maskOf(layer: Dropout, shape: readonly number[], seed: number | undefined): number[] {
  const ctx = seed === undefined ? { train: true } : { train: true, rng: new Rng(seed) };
  return Array.from(layer.forward(full(shape, 1), ctx).data);
}

describe('Dropout in training', () => {
  it("keeps exactly the elements where the pass's rng.uniform() > ratio, in row-major order", () => {
    const x = tensor([
      [1, -2, 3, 0.5],
      [-1, 4, 2, -3],
    ]);
    const y = new Dropout(0.4, new Rng(0), [4]).forward(x, { train: true, rng: new Rng(9) });
    // The oracle: the book's np.random.rand(*x.shape) > dropout_ratio, drawn from the same seed.
    const rng = new Rng(9);
    x.data.forEach((v, i) => expect(y.data[i]).toBe(rng.uniform() > 0.4 ? v : 0));
  });

  it('backward passes dout through the same mask', () => {
    const layer = new Dropout(0.5, new Rng(0), [6]);
    const mask = maskOf(layer, [3, 6], 4);
    const dout = randn([3, 6], new Rng(5));
    const dx = layer.backward(dout);
    dout.data.forEach((v, i) => expect(dx.data[i]).toBe(v * mask[i]!));
    expect(mask).toContain(0);
    expect(mask).toContain(1);
  });

  it('gives the same mask for the same seed and other masks for other seeds', () => {
    const layer = new Dropout(0.5, new Rng(0), [50]);
    const first = maskOf(layer, [4, 50], 1);
    expect(maskOf(layer, [4, 50], 1)).toEqual(first);
    expect(maskOf(new Dropout(0.5, new Rng(123), [50]), [4, 50], 1)).toEqual(first);
    expect(maskOf(layer, [4, 50], 2)).not.toEqual(first);
  });

  it("draws from the Rng of create only when the pass brings none, and from the pass's rng otherwise", () => {
    const a = new Dropout(0.5, new Rng(7), [40]);
    const b = new Dropout(0.5, new Rng(7), [40]);
    const first = maskOf(a, [2, 40], undefined);
    expect(maskOf(b, [2, 40], undefined)).toEqual(first);
    // The stream of create moves on: the next pass without an rng draws another mask.
    const second = maskOf(a, [2, 40], undefined);
    expect(second).not.toEqual(first);
    // A pass with its own rng leaves the stream of create alone.
    expect(maskOf(b, [2, 40], 99)).not.toEqual(second);
    expect(maskOf(b, [2, 40], undefined)).toEqual(second);
  });

  it.each([0.1, 0.5, 0.8])('drops a share near ratio %s over many elements', (ratio) => {
    const mask = maskOf(new Dropout(ratio, new Rng(0), [1000]), [100, 1000], 17);
    const dropped = mask.filter((m) => m === 0).length / mask.length;
    // 100 000 draws: the share's standard deviation is at most 0.0016; 0.01 is over six of them.
    expect(Math.abs(dropped - ratio)).toBeLessThan(0.01);
  });

  it('ratio 0 keeps every element', () => {
    expect(maskOf(new Dropout(0, new Rng(0), [100]), [10, 100], 3).every((m) => m === 1)).toBe(true);
  });
});

describe('Dropout in evaluation', () => {
  it('scales every element by 1 − ratio, as the book does (not inverted dropout), and so does backward', () => {
    const layer = new Dropout(0.25, new Rng(0), [3]);
    const x = tensor([
      [1, -2, 4],
      [0.5, 0, -8],
    ]);
    expectTensorClose(layer.forward(x), [2, 3], [0.75, -1.5, 3, 0.375, 0, -6]);
    expectTensorClose(layer.forward(x, { train: false, rng: new Rng(1) }), [2, 3], [0.75, -1.5, 3, 0.375, 0, -6]);
    expectTensorClose(
      layer.backward(
        tensor([
          [4, 8, -4],
          [1, 2, 0],
        ]),
      ),
      [2, 3],
      [3, 6, -3, 0.75, 1.5, 0],
    );
  });

  it('draws no random numbers', () => {
    const rng = new Rng(5);
    new Dropout(0.5, rng, [10]).forward(full([3, 10], 1));
    expect(rng.uniform()).toBe(new Rng(5).uniform());
  });

  it('after a training pass, backward follows the last forward: an evaluation pass scales', () => {
    const layer = new Dropout(0.5, new Rng(0), [4]);
    maskOf(layer, [1, 4], 3);
    layer.forward(full([1, 4], 1));
    expectTensorClose(layer.backward(full([1, 4], 2)), [1, 4], [1, 1, 1, 1]);
  });
});

describe('Dropout in a training loop', () => {
  it('reuses its output per mode and its mask, allocating nothing after warm-up (also for a smaller last batch)', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const layer = dropout.create({ ratio: 0.3 }, { rng: new Rng(0), inputShape: [1, 4, 4], dtype });
      const x = randn([16, 1, 4, 4], new Rng(1), { dtype });
      const small = randn([5, 1, 4, 4], new Rng(2), { dtype });
      const d = randn([16, 1, 4, 4], new Rng(3), { dtype });
      const rng = new Rng(4);
      const step = (): void => {
        layer.forward(x, { train: true, rng });
        layer.backward(d);
        layer.forward(small, { train: false });
      };
      step();
      expect(
        countAllocations(() => step()),
        dtype,
      ).toBe(0);
    }
  });

  it('an evaluation pass never overwrites the training output', () => {
    const layer = new Dropout(0.5, new Rng(0), [3]);
    const trainOut = layer.forward(full([2, 3], 1), { train: true, rng: new Rng(1) });
    const copy = Array.from(trainOut.data);
    expect(layer.forward(full([2, 3], 5))).not.toBe(trainOut);
    expect(Array.from(trainOut.data)).toEqual(copy);
  });

  it('keeps the dtype of the input and of dout, and float32 agrees with float64 under one seed', () => {
    const x = randn([4, 8], new Rng(6));
    const d = randn([4, 8], new Rng(7));
    const run = (dtype: 'float32' | 'float64'): { y: Tensor; dx: Tensor } => {
      const layer = dropout.create({ ratio: 0.5 }, { rng: new Rng(0), inputShape: [8], dtype });
      const y = layer.forward(x.astype(dtype), { train: true, rng: new Rng(8) }).clone();
      return { y, dx: layer.backward(d.astype(dtype)).clone() };
    };
    const r32 = run('float32');
    const r64 = run('float64');
    expect(r32.y.dtype).toBe('float32');
    expect(r32.dx.dtype).toBe('float32');
    expect(Array.from(r32.y.data)).toEqual(Array.from(r64.y.data, Math.fround));
    expect(Array.from(r32.dx.data)).toEqual(Array.from(r64.dx.data, Math.fround));
  });

  it('skips dx when the input gradient is not needed', () => {
    const layer = new Dropout(0.5, new Rng(0), [3]);
    layer.forward(full([2, 3], 1), { train: true });
    expect(layer.backward(full([2, 3], 1), { inputGradient: false }).size).toBe(0);
  });

  it('leaves dout unchanged', () => {
    const layer = new Dropout(0.5, new Rng(0), [3]);
    layer.forward(full([2, 3], 1), { train: true });
    const dout = full([2, 3], 2);
    layer.backward(dout);
    expect(Array.from(dout.data)).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it('refuses a dout whose shape differs from the input, naming both shapes', () => {
    const layer = new Dropout(0.5, new Rng(0), [3]);
    layer.forward(full([2, 3], 1), { train: true });
    expect(() => layer.backward(full([1, 3], 1))).toThrow(/\[1, 3\].*\[2, 3\]/);
  });

  it('throws when backward comes before forward', () => {
    expect(() => new Dropout(0.5, new Rng(0), [1]).backward(tensor([[1]]))).toThrow(/before forward/);
  });
});

describe('dropout def', () => {
  it('is created with no params, the input shape as output shape and ratio 0.5 by default', () => {
    const layer = dropout.create({}, { rng: new Rng(0), inputShape: [2, 3] });
    expect(layer.outputShape).toEqual([2, 3]);
    expect(layer.params).toEqual({});
    expect(layer.grads).toEqual({});
    expect(layer.state).toBeUndefined();
    expect((layer as Dropout).ratio).toBe(0.5);
  });

  it('declares itself random', () => {
    expect(dropout.capabilities).toEqual({ random: true });
  });

  it('validate accepts good configs and names the field of a bad one', () => {
    expect(dropout.validate!({})).toEqual({});
    expect(dropout.validate!({ ratio: 0 })).toEqual({ ratio: 0 });
    expect(dropout.validate!({ ratio: 0.2 })).toEqual({ ratio: 0.2 });
    expect(() => dropout.validate!({ ratio: 1 })).toThrow('dropout: "ratio" must be a number >= 0 and < 1, got 1');
    expect(() => dropout.validate!({ ratio: -0.5 })).toThrow('"ratio" must be a number >= 0 and < 1, got -0.5');
    expect(() => dropout.validate!({ ratio: null })).toThrow('"ratio" must be a number >= 0 and < 1, got null');
    expect(() => dropout.validate!({ rate: 0.5 })).toThrow('dropout: unknown config key "rate"; known keys: ratio');
    expect(() => dropout.validate!({ ratio: '0.5' })).toThrow(LayerConfigError);
    expect(() => dropout.create({ ratio: 1.5 }, { rng: new Rng(0), inputShape: [2] })).toThrow(/"ratio"/);
    expect(() => new Dropout(1, new Rng(0), [2])).toThrow(/ratio must be a number >= 0 and < 1, got 1/);
  });

  it('describes itself and its config field', () => {
    expect(dropout.description).toMatch(/dropout/i);
    expect(Object.keys(dropout.configFields ?? {})).toEqual(['ratio']);
  });

  it('shapes gives the shapes create makes: the input shape, no params', () => {
    for (const inputShape of [[5], [1, 28, 28], [1]]) expectShapesAsCreated(dropout, { ratio: 0.3 }, inputShape);
    expect(() => dropout.shapes!({ ratio: 2 }, [3])).toThrow('"ratio" must be a number >= 0 and < 1, got 2');
  });

  it('passes the conformance kit: the mask held fixed by the pass seed in training', () => {
    const report = checkLayer(dropout, {}, { inputShape: [6], seed: 1 });
    expect(report.ok, report.summary).toBe(true);
    expect(Object.keys(report.modes).sort()).toEqual(['eval', 'train']);
  });

  it('passes the conformance kit on an image sample with another ratio', () => {
    const report = checkLayer(dropout, { ratio: 0.2 }, { inputShape: [1, 3, 3], seed: 2, batch: 2 });
    expect(report.ok, report.summary).toBe(true);
  });
});
