import { checkLayer } from '@dlfs/gradcheck';
import { type DType, randn, Rng, ShapeError, type Tensor, tensor, zeros } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { Conv2d, type Conv2dConfig, conv2d } from './conv2d.js';
import { LayerConfigError } from './layer-config.js';
import { countAllocations } from './test-support/count-allocations.js';
import { expectTensorClose } from './test-support/expect-close.js';
import { expectShapesAsCreated } from './test-support/expect-shapes.js';

function params(layer: { params: Readonly<Record<string, Tensor>> }): { W: Tensor; b: Tensor } {
  const { W, b } = layer.params;
  if (W === undefined || b === undefined) throw new Error('expected params W and b');
  return { W, b };
}

const make = (config: Conv2dConfig, inputShape: readonly number[], dtype: DType = 'float64', seed = 1): Conv2d =>
  conv2d.create(config, { rng: new Rng(seed), inputShape, dtype }) as Conv2d;

describe('Conv2d by hand', () => {
  // A 1×1×3×3 input and one 2×2 filter, worked out by hand (and by the book's Convolution in
  // python3/numpy: the same numbers): y[oy, ox] = Σ W[ky, kx] · x[oy + ky, ox + kx] + b.
  const x = tensor([
    [
      [
        [1, 2, 3],
        [4, 5, 6],
        [7, 8, 9],
      ],
    ],
  ]);
  const W = (): Tensor =>
    tensor([
      [
        [
          [1, 2],
          [3, 4],
        ],
      ],
    ]);
  const layer = (): Conv2d => new Conv2d(W(), tensor([0.5]), { inputShape: [1, 3, 3] });
  const dout = tensor([
    [
      [
        [1, -1],
        [2, 0.5],
      ],
    ],
  ]);

  it('forward slides the filter over the image: 1 + 4 + 12 + 20 + 0.5 = 37.5 at the top left', () => {
    expectTensorClose(layer().forward(x), [1, 1, 2, 2], [37.5, 47.5, 67.5, 77.5]);
  });

  it('backward: db = Σ dout, dW[ky, kx] = Σ dout · x shifted, dx = the filter spread back by dout', () => {
    const conv = layer();
    conv.forward(x);
    // dx[1, 1] = 1·4 + (−1)·3 + 2·2 + 0.5·1 = 5.5: all four windows cover the centre.
    expectTensorClose(conv.backward(dout), [1, 1, 3, 3], [1, 1, -2, 5, 5.5, -3, 6, 9.5, 2]);
    // dW[0, 0] = 1·1 + (−1)·2 + 2·4 + 0.5·5 = 9.5.
    expectTensorClose(conv.grads.W, [1, 1, 2, 2], [9.5, 12, 17, 19.5]);
    expectTensorClose(conv.grads.b, [1], [2.5]);
  });

  it('pads with zeros and strides: padding 1 and stride 2 on the same image', () => {
    const conv = new Conv2d(W(), tensor([0]), { inputShape: [1, 3, 3], stride: 2, pad: 1 });
    // Windows start at −1 and 1 each way; by hand: [0,0;0,1]·W = 4, [0,0;2,3]·W = 3·2 + 4·3 = 18,
    // [0,4;0,7]·W = 2·4 + 4·7 = 36, [5,6;8,9]·W = 5 + 12 + 24 + 36 = 77.
    expectTensorClose(conv.forward(x), [1, 1, 2, 2], [4, 18, 36, 77]);
    expect(conv.outputShape).toEqual([1, 2, 2]);
  });

  it('keeps channels apart in the output and sums them in each filter', () => {
    // Two channels (the image and its negative times 2), two filters: W[0] reads channel 0 only, W[1] both.
    const image = [
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ];
    const x2 = tensor([[image, image.map((row) => row.map((v) => -2 * v))]]);
    const W2 = tensor([
      [
        [
          [1, 2],
          [3, 4],
        ],
        [
          [0, 0],
          [0, 0],
        ],
      ],
      [
        [
          [1, 0],
          [0, 0],
        ],
        [
          [1, 0],
          [0, 0],
        ],
      ],
    ]);
    const y = new Conv2d(W2, tensor([0, 1]), { inputShape: [2, 3, 3] }).forward(x2);
    // Filter 1: x + (−2x) + 1 = 1 − x at each window's top-left pixel.
    expectTensorClose(y, [1, 2, 2, 2], [37, 47, 67, 77, 0, -1, -3, -4]);
  });
});

describe('conv2d def', () => {
  it('passes the conformance kit in float64, both passes, on assorted geometries', () => {
    const cases: [Conv2dConfig, number[], number][] = [
      [{ filters: 2, size: 3 }, [1, 5, 5], 3],
      // Stride 2 and padding 1 on an odd, non-square image with 2 channels.
      [{ filters: 3, size: 2, stride: 2, pad: 1 }, [2, 5, 4], 2],
      // Padding 2 (windows wholly in the padding), 3 channels, he init.
      [{ filters: 2, size: 3, pad: 2, weightInitStd: 'he' }, [3, 4, 3], 2],
      // Stride 3 leaves the last row and column out.
      [{ filters: 2, size: 2, stride: 3 }, [1, 7, 6], 3],
      // A 1×1 filter mixes channels only; a filter as large as the padded image gives one output.
      [{ filters: 3, size: 1 }, [2, 3, 3], 2],
      [{ filters: 1, size: 5, pad: 1, weightInitStd: 0.5 }, [1, 3, 4], 4],
    ];
    for (const [config, inputShape, batch] of cases) {
      const report = checkLayer(conv2d, config, { inputShape, seed: 7, batch });
      expect(report.ok, report.summary).toBe(true);
    }
  });

  it("gives SimpleConvNet's first layer its shapes: 30 filters of 5×5 on [1, 28, 28] make [30, 24, 24]", () => {
    const conv = make({ filters: 30, size: 5 }, [1, 28, 28]);
    expect(conv.outputShape).toEqual([30, 24, 24]);
    expect(params(conv).W.shape).toEqual([30, 1, 5, 5]);
    expect(params(conv).b.shape).toEqual([30]);
    expect(conv.forward(zeros([2, 1, 28, 28])).shape).toEqual([2, 30, 24, 24]);
  });

  it('creates W [filters, C, size, size] as 0.01 · N(0, 1) draws from ctx.rng and b = 0', () => {
    const { W, b } = params(make({ filters: 3, size: 2 }, [2, 4, 4], 'float64', 7));
    expect(W.shape).toEqual([3, 2, 2, 2]);
    expect(Array.from(b.data)).toEqual([0, 0, 0]);
    const rng = new Rng(7);
    for (let i = 0; i < W.size; i++) expect(W.data[i]).toBeCloseTo(0.01 * rng.normal(), 15);
  });

  it('has sample std near 0.01, √(1/n) for xavier and √(2/n) for he, n = C · size²', () => {
    const sampleStd = (weightInitStd?: number | 'xavier' | 'he'): number => {
      const config = weightInitStd === undefined ? { filters: 100, size: 5 } : { filters: 100, size: 5, weightInitStd };
      const { W } = params(make(config, [4, 8, 8], 'float64', 3));
      let s = 0;
      for (let i = 0; i < W.size; i++) s += W.data[i]! ** 2;
      return Math.sqrt(s / W.size);
    };
    // 10 000 draws: the sample std is within about 1 % of the true one; 5 % leaves room.
    const n = 4 * 5 * 5;
    expect(Math.abs(sampleStd() / 0.01 - 1)).toBeLessThan(0.05);
    expect(Math.abs(sampleStd(0.3) / 0.3 - 1)).toBeLessThan(0.05);
    expect(Math.abs(sampleStd('xavier') / Math.sqrt(1 / n) - 1)).toBeLessThan(0.05);
    expect(Math.abs(sampleStd('he') / Math.sqrt(2 / n) - 1)).toBeLessThan(0.05);
  });

  it('creates params and grads in ctx.dtype, with the same keys and shapes', () => {
    const conv = make({ filters: 2, size: 3 }, [1, 4, 4], 'float32');
    for (const t of [...Object.values(conv.params), ...Object.values(conv.grads)]) expect(t.dtype).toBe('float32');
    expect(conv.grads.W.shape).toEqual([2, 1, 3, 3]);
    expect(conv.grads.b.shape).toEqual([2]);
  });

  it('shapes gives the shapes create makes, W and b in that order, without allocating', () => {
    expectShapesAsCreated(conv2d, { filters: 30, size: 5 }, [1, 28, 28]);
    expectShapesAsCreated(conv2d, { filters: 3, size: 2, stride: 2, pad: 1 }, [2, 5, 4]);
    expectShapesAsCreated(conv2d, { filters: 1, size: 3, stride: 3 }, [3, 7, 8]);
    // A million filters of 100×100 on 3 channels: 3 · 10^10 weights, which create could never allocate.
    expect(conv2d.shapes!({ filters: 1_000_000, size: 100 }, [3, 224, 224])).toEqual({
      outputShape: [1_000_000, 125, 125],
      params: { W: [1_000_000, 3, 100, 100], b: [1_000_000] },
    });
    let planned: unknown;
    expect(countAllocations(() => (planned = conv2d.shapes!({ filters: 8, size: 3 }, [1, 28, 28])))).toBe(0);
    expect(planned).toEqual({ outputShape: [8, 26, 26], params: { W: [8, 1, 3, 3], b: [8] } });
  });

  it('validate returns good configs as given and rejects bad ones naming the field', () => {
    expect(conv2d.validate!({ filters: 30, size: 5 })).toEqual({ filters: 30, size: 5 });
    expect(conv2d.validate!({ filters: 1, size: 3, stride: 2, pad: 1, weightInitStd: 'xavier' })).toEqual({
      filters: 1,
      size: 3,
      stride: 2,
      pad: 1,
      weightInitStd: 'xavier',
    });
    expect(() => conv2d.validate!({ size: 5 })).toThrow('conv2d: "filters" must be a whole number >= 1, got undefined');
    expect(() => conv2d.validate!({ filters: 0, size: 5 })).toThrow('conv2d: "filters" must be a whole number >= 1, got 0');
    expect(() => conv2d.validate!({ filters: 3, size: '5' })).toThrow('conv2d: "size" must be a whole number >= 1, got "5"');
    expect(() => conv2d.validate!({ filters: 3, size: 2.5 })).toThrow('"size" must be a whole number >= 1, got 2.5');
    expect(() => conv2d.validate!({ filters: 3, size: 5, stride: 0 })).toThrow('conv2d: "stride" must be a whole number >= 1, got 0');
    expect(() => conv2d.validate!({ filters: 3, size: 5, pad: -1 })).toThrow('conv2d: "pad" must be a whole number >= 0, got -1');
    expect(() => conv2d.validate!({ filters: 3, size: 5, weightInitStd: 'glorot' })).toThrow(
      'conv2d: "weightInitStd" must be a number > 0, "xavier" or "he", got "glorot"',
    );
    expect(() => conv2d.validate!(5)).toThrow('conv2d: config must be an object such as { "filters": 16, "size": 3, "pad": 1 }, got 5');
    expect(() => conv2d.validate!({ filters: 3, kernel: 5 })).toThrow(
      'conv2d: unknown config key "kernel"; known keys: filters, size, stride, pad, weightInitStd',
    );
    let error: unknown;
    try {
      conv2d.validate!({ filters: 3, size: 5, stride: -2 });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(LayerConfigError);
    expect((error as LayerConfigError).field).toBe('stride');
  });

  it('refuses a flat inputShape, saying to give the spec an image inputShape', () => {
    const flat = (): unknown => make({ filters: 2, size: 3 }, [784]);
    expect(flat).toThrow(ShapeError);
    expect(flat).toThrow(
      'conv2d: inputShape must be an image [channels, height, width] (one sample, no batch axis), got [784]; give the spec an inputShape such as [1, 28, 28]',
    );
    expect(() => conv2d.shapes!({ filters: 2, size: 3 }, [1, 28])).toThrow(/such as \[1, 28, 28\]/);
  });

  it('refuses a filter that does not fit the padded input, naming "size" and the fix', () => {
    const tooBig = (): unknown => make({ filters: 2, size: 6 }, [1, 5, 7]);
    expect(tooBig).toThrow(LayerConfigError);
    expect(tooBig).toThrow('conv2d: a filter of "size" 6 does not fit the input [1, 5, 7] padded by 0 (5×7); give a "size" of at most 5 or a larger "pad"');
    expect(() => conv2d.shapes!({ filters: 2, size: 6 }, [1, 5, 7])).toThrow(/"size" 6 does not fit/);
    // Padding makes room: 5 + 2 = 7 ≥ 6.
    expect(make({ filters: 2, size: 6, pad: 1 }, [1, 5, 7]).outputShape).toEqual([2, 2, 4]);
  });

  it('create checks its config too', () => {
    expect(() => make({ filters: -1, size: 3 }, [1, 4, 4])).toThrow(/"filters"/);
  });

  it('describes itself, every config field, and what code outside may rely on', () => {
    expect(conv2d.description).toMatch(/convolution/i);
    expect(Object.keys(conv2d.configFields ?? {})).toEqual(['filters', 'size', 'stride', 'pad', 'weightInitStd']);
    expect(conv2d.configFields?.stride).toMatch(/default 1/);
    expect(conv2d.capabilities).toEqual({ weightInit: 'weightInitStd', weightDecay: ['W'] });
  });
});

describe('Conv2d in a training loop', () => {
  const config: Conv2dConfig = { filters: 4, size: 3, stride: 2, pad: 1 };
  const inputShape = [2, 7, 6];
  const x = randn([3, ...inputShape], new Rng(11));

  it('refuses inputs that are not batches of its images, and a dout of the wrong shape, naming the shapes and the fix', () => {
    const conv = make(config, inputShape);
    expect(() => conv.forward(zeros([3, 84]))).toThrow(
      'conv2d: x [3, 84] is not a batch of [2, 7, 6] images; give x the shape [batch, 2, 7, 6]: a network does when its spec has "inputShape": [2, 7, 6]',
    );
    expect(() => conv.forward(zeros([3, 1, 7, 6]))).toThrow(/x \[3, 1, 7, 6\] is not a batch of \[2, 7, 6\] images; .*matching inputShape/);
    expect(() => conv.backward(zeros([3, 4, 4, 3]))).toThrow('conv2d: backward was called before forward');
    conv.forward(x);
    expect(() => conv.backward(zeros([3, 4, 3, 4]))).toThrow(/dout \[3, 4, 3, 4\] must have the forward output's shape \[3, 4, 4, 3\]/);
  });

  it('refuses a W, b and inputShape that do not fit together', () => {
    const W = zeros([2, 3, 3, 3]);
    expect(() => new Conv2d(zeros([2, 3, 3]), zeros([2]), { inputShape: [3, 5, 5] })).toThrow(/W must be 4-D/);
    expect(() => new Conv2d(W, zeros([3]), { inputShape: [3, 5, 5] })).toThrow(/b must have shape \[2\]/);
    expect(() => new Conv2d(W, zeros([2], 'float32'), { inputShape: [3, 5, 5] })).toThrow(/float64.*float32/);
    expect(() => new Conv2d(W, zeros([2]), { inputShape: [1, 5, 5] })).toThrow(/the input has 1 channels but W \[2, 3, 3, 3\] takes 3/);
    expect(() => new Conv2d(W, zeros([2]), { inputShape: [3, 2, 5] })).toThrow(/a 3×3 filter does not fit the input padded by 0 \(2×5\)/);
    expect(() => new Conv2d(W, zeros([2]), { inputShape: [3, 5, 5], stride: 0 })).toThrow(/stride must be a whole number >= 1/);
  });

  it('overwrites the same grads on every backward, leaves dout alone, and skips only dx when no input gradient is needed', () => {
    const full = make(config, inputShape);
    const dout = randn([3, 4, 4, 3], new Rng(12));
    const before = Array.from(dout.data);
    const { W: dW, b: db } = full.grads;
    full.forward(x, { train: true });
    full.backward(dout);
    const once = [Array.from(dW.data), Array.from(db.data)];
    full.forward(x, { train: true });
    full.backward(dout);
    expect(full.grads.W).toBe(dW);
    expect([Array.from(dW.data), Array.from(db.data)]).toEqual(once);
    expect(Array.from(dout.data)).toEqual(before);

    const first = make(config, inputShape);
    first.forward(x, { train: true });
    expect(first.backward(dout, { inputGradient: false }).size).toBe(0);
    expect([Array.from(first.grads.W.data), Array.from(first.grads.b.data)]).toEqual(once);
  });

  it('keeps one output per mode: an evaluation pass never overwrites the training output', () => {
    const conv = make(config, inputShape);
    const trainOut = conv.forward(x, { train: true });
    const copy = Array.from(trainOut.data);
    expect(conv.forward(x, { train: true })).toBe(trainOut);
    const evalOut = conv.forward(randn([5, ...inputShape], new Rng(13)));
    expect(evalOut).not.toBe(trainOut);
    expect(Array.from(trainOut.data)).toEqual(copy);
  });

  it.each<DType>(['float32', 'float64'])('allocates nothing once warm in %s, after an evaluation pass on another batch size too', (dtype) => {
    const conv = make(config, inputShape, dtype);
    const xs = x.astype(dtype);
    const dout = randn([3, 4, 4, 3], new Rng(14), { dtype });
    const step = (): void => {
      conv.forward(xs, { train: true });
      conv.backward(dout);
    };
    const other = zeros([7, ...inputShape], dtype);
    step();
    conv.forward(other);
    step();
    expect(
      countAllocations(() => {
        for (let i = 0; i < 5; i++) step();
        conv.forward(other);
        step();
      }),
    ).toBe(0);
    // The counter does count: a fresh layer's first step allocates its buffers.
    const fresh = make(config, inputShape, dtype);
    expect(countAllocations(() => fresh.forward(xs, { train: true }))).toBeGreaterThan(0);
  });

  it('agrees in float32 and float64 within float32 rounding, from one seed', () => {
    const c64 = make(config, inputShape, 'float64', 21);
    const c32 = make(config, inputShape, 'float32', 21);
    // The same draws, rounded once: the float64 layer gets the float32 weights, so only the arithmetic differs.
    params(c64).W.data.set(params(c32).W.data);
    const x32 = x.astype('float32');
    const dout32 = randn([3, 4, 4, 3], new Rng(15), { dtype: 'float32' });
    const y64 = c64.forward(x32.astype('float64'));
    const y32 = c32.forward(x32);
    expect(y32.dtype).toBe('float32');
    const dx64 = c64.backward(dout32.astype('float64'));
    const dx32 = c32.backward(dout32);
    expect(dx32.dtype).toBe('float32');
    const close = (a: Tensor, b: Tensor, what: string): void => {
      let scale = 0;
      for (let i = 0; i < b.size; i++) scale = Math.max(scale, Math.abs(b.data[i]!));
      // Sums of at most C·size² = 18 (forward, dx) or N·OH·OW = 36 (dW, db) products, each rounded: well inside 64 ulps of the largest entry.
      for (let i = 0; i < b.size; i++) expect(Math.abs(a.data[i]! - b.data[i]!), `${what}[${i}]`).toBeLessThanOrEqual(64 * 2 ** -24 * scale);
    };
    close(y32, y64, 'y');
    close(dx32, dx64, 'dx');
    close(c32.grads.W, c64.grads.W, 'dW');
    close(c32.grads.b, c64.grads.b, 'db');
  });

  it('takes a float32 input into a float64 layer and gives dx back in float32', () => {
    const conv = make(config, inputShape);
    const y = conv.forward(x.astype('float32'));
    expect(y.dtype).toBe('float64');
    expect(conv.backward(zeros([3, 4, 4, 3])).dtype).toBe('float32');
  });
});
