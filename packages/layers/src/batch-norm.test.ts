import { checkLayer } from '@dlfs/gradcheck';
import { randn, Rng, ShapeError, type Tensor, tensor } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { BatchNorm, batchNorm } from './batch-norm.js';
import { LayerConfigError } from './layer-config.js';
import { countAllocations } from './test-support/count-allocations.js';
import { expectTensorClose } from './test-support/expect-close.js';
import { expectShapesAsCreated } from './test-support/expect-shapes.js';

/** The book's ε: np.sqrt(var + 10e-7). */
const EPS = 1e-6;

function stateOf(layer: { state?: Readonly<Record<string, Tensor>> }): { runningMean: Tensor; runningVar: Tensor } {
  const { runningMean, runningVar } = layer.state ?? {};
  if (runningMean === undefined || runningVar === undefined) throw new Error('expected state runningMean and runningVar');
  return { runningMean, runningVar };
}

describe('BatchNorm against the book', () => {
  // Numbers computed with python3/numpy by the book's own class (common/layers.py, BatchNormalization
  // with momentum 0.9): bn.forward(x, train_flg=True), bn.backward(dout), then bn.running_mean/var.
  const gamma = (): Tensor => tensor([1.5, -0.5]);
  const beta = (): Tensor => tensor([0.1, 0.2]);
  const x = tensor([
    [1, -2],
    [3, 0.5],
    [-0.5, 4],
  ]);
  const dout = tensor([
    [1, 0.5],
    [-2, 1],
    [0.25, -1.5],
  ]);
  const trained = (): BatchNorm => {
    const layer = new BatchNorm(gamma(), beta());
    layer.forward(x, { train: true });
    return layer;
  };

  it('normalises a training batch per feature with its mean and biased variance', () => {
    const y = new BatchNorm(gamma(), beta()).forward(x, { train: true });
    expectTensorClose(y, [3, 2], [-0.07437141570106545, 0.7756925947225579, 2.018085572711719, 0.2677285405555951, -1.643714157010654, -0.443421135278153]);
  });

  it('backward through the batch mean and variance gives dx, dgamma and dbeta', () => {
    const layer = trained();
    const dx = layer.backward(dout);
    expectTensorClose(
      dx,
      [3, 2],
      [1.1876107816166361, 0.10438890922632121, -0.5089766673062875, -0.17895247813034826, -0.6786341143103486, 0.07456356890402704],
    );
    expectTensorClose(layer.grads.gamma, [2], [-2.964314066918112, -2.6414130816682073]);
    expectTensorClose(layer.grads.beta, [2], [-0.75, 0]);
  });

  it('moves the running statistics from zeros by momentum 0.9, as the book does', () => {
    const layer = new BatchNorm(gamma(), beta());
    expect(Array.from(stateOf(layer).runningMean.data)).toEqual([0, 0]);
    expect(Array.from(stateOf(layer).runningVar.data)).toEqual([0, 0]);
    layer.forward(x, { train: true });
    // By hand: 0.1 · mean = 0.1 · [7/6, 5/6]; 0.1 · biased variance = 0.1 · [2.0556, 6.0556].
    expectTensorClose(stateOf(layer).runningMean, [2], [0.11666666666666665, 0.08333333333333331]);
    expectTensorClose(stateOf(layer).runningVar, [2], [0.2055555555555555, 0.6055555555555553]);
  });

  it('an evaluation pass normalises with the running statistics', () => {
    const layer = trained();
    const x2 = tensor([
      [0, 1],
      [2, -1],
    ]);
    // The book's bn.forward(x2, train_flg=False) after the training pass above.
    expectTensorClose(layer.forward(x2), [2, 2], [-0.28598673771373173, -0.38898480188988865, 6.330928765950239, 0.8960729476880502]);
    // python3/numpy: xn = (x2 - rm) / np.sqrt(rv + 10e-7); dx = d2 * gamma / np.sqrt(rv + 10e-7), dgamma = (d2 * xn).sum(0).
    const dx = layer.backward(
      tensor([
        [0.5, -1],
        [2, 0.25],
      ]),
    );
    expectTensorClose(dx, [2, 2], [1.654228875915993, 0.6425288747889694, 6.616915503663972, -0.16063221869724234]);
    expectTensorClose(layer.grads.gamma, [2], [8.17924277536241, -1.5260060776238025]);
    expectTensorClose(layer.grads.beta, [2], [2.5, -0.75]);
  });

  it("uses the book's ε = 10e-7 = 1e-6: a constant feature gives x̂ = 0 and an evaluation pass scales by 1/√ε", () => {
    const layer = new BatchNorm(tensor([1]), tensor([0]));
    expectTensorClose(layer.forward(tensor([[2], [2]]), { train: true }), [2, 1], [0, 0]);
    const fresh = new BatchNorm(tensor([1]), tensor([0]));
    // Running variance 0 at the start: (x − 0) / √(0 + 1e-6) = 1000 · x.
    expectTensorClose(fresh.forward(tensor([[0.003]])), [1, 1], [3], 9);
  });
});

describe('running statistics', () => {
  const rng = new Rng(3);
  const x = randn([5, 3], rng);
  const make = (): BatchNorm => batchNorm.create({ momentum: 0.8 }, { rng: new Rng(0), inputShape: [3] }) as BatchNorm;

  it('a training pass updates them; evaluation passes and frozen training passes leave them alone', () => {
    const layer = make();
    const { runningMean, runningVar } = stateOf(layer);
    layer.forward(x);
    layer.forward(x, { train: false, updateState: true });
    layer.forward(x, { train: true, updateState: false });
    expect(Array.from(runningMean.data)).toEqual([0, 0, 0]);
    expect(Array.from(runningVar.data)).toEqual([0, 0, 0]);

    layer.forward(x, { train: true });
    for (let c = 0; c < 3; c++) {
      let m = 0;
      for (let n = 0; n < 5; n++) m += x.get(n, c) / 5;
      let v = 0;
      for (let n = 0; n < 5; n++) v += (x.get(n, c) - m) ** 2 / 5;
      expect(runningMean.data[c]).toBeCloseTo(0.2 * m, 14);
      expect(runningVar.data[c]).toBeCloseTo(0.2 * v, 14);
    }
    const after = [Array.from(runningMean.data), Array.from(runningVar.data)];
    layer.forward(x, { train: false });
    expect([Array.from(runningMean.data), Array.from(runningVar.data)]).toEqual(after);
  });

  it('a frozen training pass gives the same output as an updating one', () => {
    const frozen = make().forward(x, { train: true, updateState: false }).clone();
    expect(Array.from(make().forward(x, { train: true }).data)).toEqual(Array.from(frozen.data));
  });

  it('evaluation uses them: y = gamma · (x − running mean) / √(running var + ε) + beta', () => {
    const layer = make();
    for (let i = 0; i < 3; i++) layer.forward(randn([4, 3], rng), { train: true });
    layer.params.gamma.data.set([2, -1, 0.5]);
    layer.params.beta.data.set([0.5, 0, -1]);
    const { runningMean, runningVar } = stateOf(layer);
    const y = layer.forward(x);
    for (let n = 0; n < 5; n++) {
      for (let c = 0; c < 3; c++) {
        const expected = layer.params.gamma.get(c) * ((x.get(n, c) - runningMean.get(c)) / Math.sqrt(runningVar.get(c) + EPS)) + layer.params.beta.get(c);
        expect(y.get(n, c)).toBeCloseTo(expected, 12);
      }
    }
  });
});

describe('per-channel statistics on [batch, C, H, W]', () => {
  const [N, C, H, W] = [3, 2, 2, 3];
  const x = randn([N, C, H, W], new Rng(11), { mean: 1, std: 2 });

  /** Mean and biased variance of channel c over the batch and every position, computed directly. */
  function channelStats(c: number): { m: number; v: number } {
    const values: number[] = [];
    for (let n = 0; n < N; n++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) values.push(x.get(n, c, h, w));
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    return { m, v: values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length };
  }

  it('normalises each channel over N · H · W values, with gamma, beta and the running statistics of shape [C]', () => {
    const layer = batchNorm.create({}, { rng: new Rng(0), inputShape: [C, H, W] }) as BatchNorm;
    expect(layer.params.gamma.shape).toEqual([C]);
    expect(stateOf(layer).runningVar.shape).toEqual([C]);
    layer.params.gamma.data.set([2, -0.5]);
    layer.params.beta.data.set([0.25, 1]);
    const y = layer.forward(x, { train: true });
    expect(y.shape).toEqual([N, C, H, W]);
    for (let c = 0; c < C; c++) {
      const { m, v } = channelStats(c);
      const g = layer.params.gamma.get(c);
      const b = layer.params.beta.get(c);
      for (let n = 0; n < N; n++)
        for (let h = 0; h < H; h++)
          for (let w = 0; w < W; w++) expect(y.get(n, c, h, w)).toBeCloseTo((g * (x.get(n, c, h, w) - m)) / Math.sqrt(v + EPS) + b, 12);
      expect(stateOf(layer).runningMean.get(c)).toBeCloseTo(0.1 * m, 14);
      expect(stateOf(layer).runningVar.get(c)).toBeCloseTo(0.1 * v, 14);
    }
  });

  it('dgamma and dbeta sum over the batch and every position', () => {
    const layer = batchNorm.create({}, { rng: new Rng(0), inputShape: [C, H, W] });
    layer.forward(x, { train: true });
    const dout = randn([N, C, H, W], new Rng(12));
    layer.backward(dout);
    for (let c = 0; c < C; c++) {
      const { m, v } = channelStats(c);
      let db = 0;
      let dg = 0;
      for (let n = 0; n < N; n++) {
        for (let h = 0; h < H; h++) {
          for (let w = 0; w < W; w++) {
            db += dout.get(n, c, h, w);
            dg += (dout.get(n, c, h, w) * (x.get(n, c, h, w) - m)) / Math.sqrt(v + EPS);
          }
        }
      }
      expect(layer.grads.beta!.get(c)).toBeCloseTo(db, 12);
      expect(layer.grads.gamma!.get(c)).toBeCloseTo(dg, 12);
    }
  });
});

describe('BatchNorm in a training loop', () => {
  const x = randn([4, 3], new Rng(21));
  const dout = randn([4, 3], new Rng(22));

  it('fills the same grads without dx when the input gradient is not needed', () => {
    const full = new BatchNorm(tensor([1, 2, 3]), tensor([0, 1, 0]));
    full.forward(x, { train: true });
    full.backward(dout);
    const first = new BatchNorm(tensor([1, 2, 3]), tensor([0, 1, 0]));
    first.forward(x, { train: true });
    expect(first.backward(dout, { inputGradient: false }).size).toBe(0);
    expect(Array.from(first.grads.gamma.data)).toEqual(Array.from(full.grads.gamma.data));
    expect(Array.from(first.grads.beta.data)).toEqual(Array.from(full.grads.beta.data));
  });

  it('reuses its output per mode, so an evaluation pass never overwrites the training output', () => {
    const layer = new BatchNorm(tensor([1, 2, 3]), tensor([0, 1, 0]));
    const trainOut = layer.forward(x, { train: true });
    const copy = Array.from(trainOut.data);
    expect(layer.forward(x, { train: true })).toBe(trainOut);
    expect(layer.forward(randn([2, 3], new Rng(1)))).not.toBe(trainOut);
    expect(Array.from(trainOut.data)).toEqual(copy);
  });

  it.each(['float32', 'float64'] as const)('allocates nothing after warm-up (%s), also with evaluation passes between', (dtype) => {
    const layer = batchNorm.create({}, { rng: new Rng(0), inputShape: [2, 3, 3], dtype });
    const xt = randn([8, 2, 3, 3], new Rng(1), { dtype });
    const xe = randn([5, 2, 3, 3], new Rng(2), { dtype });
    const d = randn([8, 2, 3, 3], new Rng(3), { dtype });
    const step = (): void => {
      layer.forward(xt, { train: true });
      layer.backward(d);
      layer.forward(xe, { train: false });
    };
    step();
    expect(countAllocations(() => step())).toBe(0);
    expect(countAllocations(() => batchNorm.create({}, { rng: new Rng(0), inputShape: [2, 3, 3], dtype }).forward(xt))).toBeGreaterThan(0);
  });

  it('float32 agrees with float64', () => {
    const make = (dtype: 'float32' | 'float64') => batchNorm.create({ momentum: 0.5 }, { rng: new Rng(0), inputShape: [3, 2, 2], dtype });
    const x64 = randn([4, 3, 2, 2], new Rng(5));
    const d64 = randn([4, 3, 2, 2], new Rng(6));
    const [l32, l64] = [make('float32'), make('float64')];
    for (const train of [true, false]) {
      const y32 = l32.forward(x64.astype('float32'), { train });
      const y64 = l64.forward(x64, { train });
      expect(y32.dtype).toBe('float32');
      y64.data.forEach((v, i) => expect(y32.data[i]).toBeCloseTo(v, 4));
      const dx32 = l32.backward(d64.astype('float32'));
      const dx64 = l64.backward(d64);
      expect(dx32.dtype).toBe('float32');
      dx64.data.forEach((v, i) => expect(dx32.data[i]).toBeCloseTo(v, 3));
      for (const key of ['gamma', 'beta']) l64.grads[key]!.data.forEach((v, i) => expect(l32.grads[key]!.data[i]).toBeCloseTo(v, 4));
    }
    for (const key of ['runningMean', 'runningVar']) l64.state![key]!.data.forEach((v, i) => expect(l32.state![key]!.data[i]).toBeCloseTo(v, 6));
  });

  it('returns dx in the dtype of the forward input', () => {
    const layer = new BatchNorm(tensor([1, 1, 1]), tensor([0, 0, 0]));
    layer.forward(x.astype('float32'), { train: true });
    expect(layer.backward(dout).dtype).toBe('float32');
  });

  it('leaves dout unchanged', () => {
    const layer = new BatchNorm(tensor([1, 2, 3]), tensor([0, 1, 0]));
    layer.forward(x, { train: true });
    const d = dout.clone();
    layer.backward(d);
    expect(Array.from(d.data)).toEqual(Array.from(dout.data));
  });
});

describe('BatchNorm errors', () => {
  it('refuses an input that is not a batch of samples of the input shape, naming both shapes', () => {
    const layer = new BatchNorm(tensor([1, 1]), tensor([0, 0]), { inputShape: [2, 3] });
    expect(() => layer.forward(tensor([[1, 2]]))).toThrow(ShapeError);
    expect(() => layer.forward(tensor([[1, 2]]))).toThrow(/x \[1, 2\] must be a batch of samples \[2, 3\]/);
  });

  it('refuses a dout that does not match the forward output, naming both shapes', () => {
    const layer = new BatchNorm(tensor([1, 1]), tensor([0, 0]));
    layer.forward(tensor([[1, 2]]), { train: true });
    expect(() => layer.backward(tensor([[1, 2, 3]]))).toThrow(/\[1, 3\].*\[1, 2\]/);
  });

  it('throws when backward comes before forward', () => {
    expect(() => new BatchNorm(tensor([1]), tensor([0])).backward(tensor([[1]]))).toThrow(/before forward/);
  });

  it('refuses params that do not fit each other or the sample shape', () => {
    expect(() => new BatchNorm(tensor([1, 1]), tensor([0]))).toThrow(/beta must have gamma's shape \[2\], got \[1\]/);
    expect(() => new BatchNorm(tensor([[1]]), tensor([0]))).toThrow(/gamma must be 1-D/);
    expect(() => new BatchNorm(tensor([1, 1]), tensor([0, 0], 'float32'))).toThrow(/float64.*float32/);
    expect(() => new BatchNorm(tensor([1, 1]), tensor([0, 0]), { inputShape: [3, 4, 4] })).toThrow(/must have 2 channels/);
    expect(() => new BatchNorm(tensor([1]), tensor([0]), { momentum: 1 })).toThrow(/momentum must be a number >= 0 and < 1, got 1/);
  });
});

describe('batch-norm def', () => {
  it('creates gamma = 1 and beta = 0 as params, running mean and variance = 0 as state, in ctx.dtype', () => {
    const layer = batchNorm.create({}, { rng: new Rng(0), inputShape: [4], dtype: 'float32' });
    expect(Object.keys(layer.params)).toEqual(['gamma', 'beta']);
    expect(Object.keys(layer.state ?? {})).toEqual(['runningMean', 'runningVar']);
    expect(Array.from(layer.params.gamma!.data)).toEqual([1, 1, 1, 1]);
    expect(Array.from(layer.params.beta!.data)).toEqual([0, 0, 0, 0]);
    for (const t of [...Object.values(layer.params), ...Object.values(layer.grads), ...Object.values(layer.state ?? {})]) expect(t.dtype).toBe('float32');
    expect(Array.from(stateOf(layer).runningVar.data)).toEqual([0, 0, 0, 0]);
    expect(layer.outputShape).toEqual([4]);
    expect((layer as BatchNorm).momentum).toBe(0.9);
  });

  it('declares itself stateful', () => {
    expect(batchNorm.capabilities).toEqual({ stateful: true });
  });

  it('validate accepts good configs and names the field of a bad one', () => {
    expect(batchNorm.validate!({})).toEqual({});
    expect(batchNorm.validate!({ momentum: 0 })).toEqual({ momentum: 0 });
    expect(batchNorm.validate!({ momentum: 0.99 })).toEqual({ momentum: 0.99 });
    expect(() => batchNorm.validate!({ momentum: 1 })).toThrow('batch-norm: "momentum" must be a number >= 0 and < 1, got 1');
    expect(() => batchNorm.validate!({ momentum: -0.1 })).toThrow('"momentum" must be a number >= 0 and < 1, got -0.1');
    expect(() => batchNorm.validate!({ momentum: '0.9' })).toThrow(LayerConfigError);
    expect(() => batchNorm.validate!({ eps: 1e-5 })).toThrow('batch-norm: unknown config key "eps"; known keys: momentum');
    expect(() => batchNorm.create({ momentum: 2 }, { rng: new Rng(0), inputShape: [2] })).toThrow(/"momentum"/);
    try {
      batchNorm.validate!({ momentum: 1 });
    } catch (err) {
      expect((err as LayerConfigError).field).toBe('momentum');
    }
  });

  it('refuses a bad inputShape', () => {
    expect(() => batchNorm.create({}, { rng: new Rng(0), inputShape: [] })).toThrow(/inputShape must be a non-empty list/);
    expect(() => batchNorm.shapes!({}, [2, 0])).toThrow(/inputShape must be a non-empty list/);
  });

  it('describes itself and its config field', () => {
    expect(batchNorm.description).toMatch(/batch normalization/i);
    expect(Object.keys(batchNorm.configFields ?? {})).toEqual(['momentum']);
  });

  it('shapes gives the shapes create makes: params gamma and beta, state running mean and variance, all [C]', () => {
    expectShapesAsCreated(batchNorm, {}, [5]);
    expectShapesAsCreated(batchNorm, { momentum: 0.5 }, [3, 4, 4]);
    expectShapesAsCreated(batchNorm, {}, [1]);
    expect(batchNorm.shapes!({}, [16, 28, 28])).toEqual({
      outputShape: [16, 28, 28],
      params: { gamma: [16], beta: [16] },
      state: { runningMean: [16], runningVar: [16] },
    });
    expect(() => batchNorm.shapes!({ momentum: 1 }, [3])).toThrow('"momentum" must be a number >= 0 and < 1, got 1');
  });

  it('passes the conformance kit on [batch, D]', () => {
    const report = checkLayer(batchNorm, {}, { inputShape: [4], seed: 1 });
    expect(report.ok, report.summary).toBe(true);
  });

  it('passes the conformance kit on [batch, C, H, W]', () => {
    const report = checkLayer(batchNorm, { momentum: 0.5 }, { inputShape: [2, 3, 3], seed: 2, batch: 2 });
    expect(report.ok, report.summary).toBe(true);
  });

  it('passes the conformance kit with running statistics away from zero', () => {
    // The kit's layer is made from a seeded Rng; a def that trains a few passes first shows an evaluation pass on real statistics.
    const warmed: typeof batchNorm = {
      ...batchNorm,
      create(config, ctx) {
        const layer = batchNorm.create(config, ctx);
        for (let i = 0; i < 5; i++) layer.forward(randn([6, ...ctx.inputShape], ctx.rng, { mean: 0.5, std: 2 }), { train: true });
        layer.params.gamma!.data.set(randn([ctx.inputShape[0]!], ctx.rng).data);
        layer.params.beta!.data.set(randn([ctx.inputShape[0]!], ctx.rng).data);
        return layer;
      },
    };
    const report = checkLayer(warmed, {}, { inputShape: [3, 2, 2], seed: 3, batch: 4 });
    expect(report.ok, report.summary).toBe(true);
  });
});
