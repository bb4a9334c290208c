import { checkGradients, numericalGradient } from '@dlfs/gradcheck';
import { builtinLayers } from '@dlfs/layers';
import { randn, Rng, ShapeError, Tensor, type TypedArray } from '@dlfs/tensor';
import { describe, expect, it } from 'vitest';
import { Network, rowsOf } from './network.js';
import { defaultSpec, type NetworkSpec, SpecError } from './spec.js';
import { blobs, gain, testRegistry } from './test-support/index.js';

function build(spec: NetworkSpec, inputShape: number[], opts: { seed?: number; dtype?: 'float32' | 'float64'; classes?: number } = {}): Network {
  return Network.build(spec, { registry: testRegistry(), inputShape, rng: new Rng(opts.seed ?? 1), dtype: opts.dtype, classes: opts.classes });
}

function buildError(spec: NetworkSpec, inputShape: number[], classes?: number): SpecError {
  try {
    Network.build(spec, { registry: testRegistry(), inputShape, rng: new Rng(1), classes, source: 'net.json' });
  } catch (err) {
    expect(err).toBeInstanceOf(SpecError);
    return err as SpecError;
  }
  throw new Error('Network.build accepted the spec');
}

/** A [rows, cols] float64 tensor of normal random values. */
function randomRows(rows: number, cols: number, seed: number): Tensor {
  const rng = new Rng(seed);
  return new Tensor(
    Float64Array.from({ length: rows * cols }, () => rng.normal()),
    [rows, cols],
  );
}

/** Scores of Affine → ReLU → Affine computed here with plain loops, in float64 (the oracle for predict). */
function twoLayerScores(x: Tensor, W1: TypedArray, b1: TypedArray, W2: TypedArray, b2: TypedArray, hidden: number, classes: number): number[][] {
  const rows = x.shape[0]!;
  const features = x.size / rows;
  const out: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const h = Array.from({ length: hidden }, (_, j) => {
      let a = b1[j]!;
      for (let k = 0; k < features; k++) a += x.data[r * features + k]! * W1[k * hidden + j]!;
      return Math.max(a, 0);
    });
    out.push(
      Array.from({ length: classes }, (_, c) => {
        let s = b2[c]!;
        for (let j = 0; j < hidden; j++) s += h[j]! * W2[j * classes + c]!;
        return s;
      }),
    );
  }
  return out;
}

function argmaxRow(row: readonly number[]): number {
  let best = 0;
  for (let c = 1; c < row.length; c++) if (row[c]! > row[best]!) best = c;
  return best;
}

describe('Network.build', () => {
  it("builds the chapter-5 network with params named W1, b1, W2, b2 that are the layers' own tensors", () => {
    const net = Network.build(defaultSpec(10), { registry: builtinLayers(), inputShape: [784], rng: new Rng(0), classes: 10 });
    expect(Object.keys(net.params)).toEqual(['W1', 'b1', 'W2', 'b2']);
    expect(Object.keys(net.grads)).toEqual(['W1', 'b1', 'W2', 'b2']);
    expect(net.layers).toHaveLength(3);
    expect(net.params.W1).toBe(net.layers[0]!.params.W);
    expect(net.params.b1).toBe(net.layers[0]!.params.b);
    expect(net.params.W2).toBe(net.layers[2]!.params.W);
    expect(net.params.b2).toBe(net.layers[2]!.params.b);
    expect(net.grads.W1).toBe(net.layers[0]!.grads.W);
    expect(net.grads.b2).toBe(net.layers[2]!.grads.b);
    expect(net.params.W1!.shape).toEqual([784, 50]);
    expect(net.params.b1!.shape).toEqual([50]);
    expect(net.params.W2!.shape).toEqual([50, 10]);
    expect(net.params.b2!.shape).toEqual([10]);
    expect(net.inputShape).toEqual([784]);
    expect(net.outputShape).toEqual([10]);
    expect(net.spec).toEqual(defaultSpec(10));
  });

  it('initialises W with std 0.01 and b with zeros, as the book', () => {
    const net = Network.build(defaultSpec(10), { registry: builtinLayers(), inputShape: [784], rng: new Rng(0) });
    const W1 = Array.from(net.params.W1!.data);
    const mean = W1.reduce((a, b) => a + b, 0) / W1.length;
    const std = Math.sqrt(W1.reduce((a, b) => a + (b - mean) ** 2, 0) / W1.length);
    expect(std).toBeGreaterThan(0.0097);
    expect(std).toBeLessThan(0.0103);
    expect(Array.from(net.params.b1!.data).every((v) => v === 0)).toBe(true);
  });

  it('gives the same weights for the same seed and others for another seed', () => {
    const a = build(defaultSpec(3, 5), [4], { seed: 7 });
    const b = build(defaultSpec(3, 5), [4], { seed: 7 });
    const c = build(defaultSpec(3, 5), [4], { seed: 8 });
    expect(b.params.W1!.data).toEqual(a.params.W1!.data);
    expect(b.params.W2!.data).toEqual(a.params.W2!.data);
    expect(c.params.W1!.data).not.toEqual(a.params.W1!.data);
  });

  it("builds a plugin layer from a test registry and names params by the book's scheme", () => {
    const spec: NetworkSpec = {
      layers: [{ type: 'affine', units: 4 }, { type: 'gain' }, { type: 'relu' }, { type: 'affine', units: 3 }],
      loss: 'softmax-with-loss',
    };
    const net = build(spec, [5], { classes: 3 });
    // The book's scheme: each name counted on its own, so the gain layer does not renumber W and b.
    expect(Object.keys(net.params)).toEqual(['W1', 'b1', 'g1', 'W2', 'b2']);
    expect(net.params.g1).toBe(net.layers[1]!.params.g);
    expect(net.grads.g1).toBe(net.layers[1]!.grads.g);
    expect(net.params.g1!.shape).toEqual([4]);
  });

  it('refuses a plugin type the registry does not hold', () => {
    const spec: NetworkSpec = { layers: [{ type: 'affine', units: 4 }, { type: 'gain' }], loss: 'softmax-with-loss' };
    expect(() => Network.build(spec, { registry: builtinLayers(), inputShape: [5], rng: new Rng(1) })).toThrow(
      /layers\[1\] \(gain\): unknown layer type "gain"/,
    );
    expect(() => Network.build(spec, { registry: builtinLayers().register(gain), inputShape: [5], rng: new Rng(1) })).not.toThrow();
  });

  it('refuses an unknown layer type, naming the source, the layer and every known type', () => {
    const err = buildError({ layers: [{ type: 'affine', units: 4 }, { type: 'tanh' }, { type: 'affine', units: 3 }], loss: 'softmax-with-loss' }, [5]);
    expect(err.message).toBe(
      'net.json: layers[1] (tanh): unknown layer type "tanh"; ' +
        'known types: affine, batch-norm, conv2d, dropout, gain, max-pool, nan-after, recorder, relu, sigmoid (its input has shape [4])',
    );
  });

  it("refuses a layer config its validate rejects, with the layer's reason", () => {
    const err = buildError({ layers: [{ type: 'affine', units: 0 }], loss: 'softmax-with-loss' }, [5]);
    expect(err.message).toMatch(/^net\.json: layers\[0\] \(affine\): .*"units" must be a whole number >= 1, got 0.*\(its input has shape \[5\]\)$/);
  });

  it('refuses a spec whose output does not fit the number of classes, naming both numbers', () => {
    const err = buildError({ layers: [{ type: 'affine', units: 50 }, { type: 'relu' }, { type: 'affine', units: 7 }], loss: 'softmax-with-loss' }, [784], 10);
    expect(err.message).toBe('net.json: layers[2]: the network ends with 7 outputs per sample but the data has 10 classes; make the last layer\'s "units" 10');
    expect(buildError({ layers: [{ type: 'affine', units: 1 }], loss: 'softmax-with-loss' }, [3], 2).message).toMatch(
      /ends with 1 output per sample but the data has 2 classes/,
    );
  });

  it('does not compare outputs with classes for a regression loss', () => {
    expect(() => build({ layers: [{ type: 'affine', units: 1 }], loss: 'identity-with-loss' }, [3], { classes: 10 })).not.toThrow();
  });

  it('creates every parameter in the dtype asked for, float32 by default', () => {
    const f32 = build(defaultSpec(3, 5), [4]);
    const f64 = build(defaultSpec(3, 5), [4], { dtype: 'float64' });
    expect(f32.dtype).toBe('float32');
    expect(f64.dtype).toBe('float64');
    for (const p of Object.values(f32.params)) expect(p.dtype).toBe('float32');
    for (const p of Object.values(f64.params)) expect(p.dtype).toBe('float64');
    // The same seed draws the same normals; float32 holds each rounded.
    const a = f64.params.W1!.data;
    const b = f32.params.W1!.data;
    for (let i = 0; i < a.length; i++) expect(b[i]).toBe(Math.fround(a[i]!));
  });
});

describe('Network forward passes', () => {
  const spec = defaultSpec(4, 6);
  const net = build(spec, [5], { dtype: 'float64', seed: 3 });
  // Larger weights than the book's 0.01 so that scores differ clearly between classes.
  for (const p of Object.values(net.params)) for (let i = 0; i < p.size; i++) p.data[i] = new Rng(i + p.size).normal();
  const x = randomRows(23, 5, 11);
  const oracle = twoLayerScores(x, net.params.W1!.data, net.params.b1!.data, net.params.W2!.data, net.params.b2!.data, 6, 4);

  it('predict gives Affine → ReLU → Affine scores as computed by hand', () => {
    const scores = net.predict(x);
    expect(scores.shape).toEqual([23, 4]);
    expect(scores.dtype).toBe('float64');
    oracle.forEach((row, r) => row.forEach((v, c) => expect(scores.data[r * 4 + c]).toBeCloseTo(v, 12)));
  });

  it('loss is the mean softmax cross-entropy of the scores', () => {
    const labels = Int32Array.from({ length: 23 }, (_, r) => (r * 3) % 4);
    let sum = 0;
    oracle.forEach((row, r) => {
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
      sum += lse - row[labels[r]!]!;
    });
    expect(net.loss(x, labels)).toBeCloseTo(sum / 23, 12);
    expect(net.gradient(x, labels)).toBeCloseTo(sum / 23, 12);
  });

  it('predictClasses is the argmax of the scores, whatever the chunk size', () => {
    const expected = Int32Array.from(oracle.map(argmaxRow));
    // The hand-made weights must give more than one class, or the test would prove little.
    expect(new Set(expected).size).toBeGreaterThan(1);
    for (const chunk of [1, 7, 1000, 23, 22]) expect(net.predictClasses(x, chunk), `chunk ${chunk}`).toEqual(expected);
    expect(net.predictClasses(x)).toEqual(expected);
  });

  it('evaluates in chunks whose widest layer output holds at most 2^21 numbers, and at most 1000 rows', () => {
    expect(build(defaultSpec(10, 50), [784], { dtype: 'float32' }).evalChunk).toBe(1000);
    const conv: NetworkSpec = {
      inputShape: [1, 28, 28],
      layers: [{ type: 'conv2d', filters: 30, size: 5 }, { type: 'relu' }, { type: 'max-pool', size: 2 }, { type: 'affine', units: 10 }],
      loss: 'softmax-with-loss',
    };
    // SimpleConvNet's widest output is [30, 24, 24]: 17,280 numbers a row, so 2^21 / 17,280 → 121 rows.
    expect(build(conv, [784], { dtype: 'float32' }).evalChunk).toBe(121);
    // A row wider than 2^21 numbers is evaluated on its own.
    expect(build({ layers: [{ type: 'affine', units: 3 }], loss: 'softmax-with-loss' }, [2 ** 21 + 1], { classes: 3 }).evalChunk).toBe(1);
  });

  it('accuracy is the fraction of rows whose argmax is the label, for any chunk size', () => {
    const predicted = oracle.map(argmaxRow);
    const labels = Int32Array.from(predicted, (p, r) => (r % 3 === 0 ? (p + 1) % 4 : p));
    const hits = predicted.filter((p, r) => p === labels[r]).length;
    expect(hits).toBe(15);
    for (const chunk of [1, 7, 1000]) expect(net.accuracy(x, labels, chunk)).toBe(15 / 23);
  });

  it('accuracy refuses a label count that differs from the rows, and is 0 for no rows', () => {
    expect(() => net.accuracy(x, new Int32Array(22))).toThrow(ShapeError);
    expect(() => net.accuracy(x, new Int32Array(22))).toThrow(/23 rows but 22 labels/);
    expect(net.accuracy(new Tensor(new Float64Array(0), [0, 5]), new Int32Array(0))).toBe(0);
  });

  it('refuses input with the wrong feature count, naming both shapes', () => {
    const bad = randomRows(3, 6, 1);
    const labels = new Int32Array(3);
    for (const call of [
      () => net.predict(bad),
      () => net.loss(bad, labels),
      () => net.gradient(bad, labels),
      () => net.predictClasses(bad),
      () => net.accuracy(bad, labels),
    ]) {
      expect(call).toThrow(ShapeError);
      expect(call).toThrow('network: the input must have 5 features per sample, as the network was built for (shapes [3, 6] and [-1, 5])');
    }
    expect(() => net.predict(new Tensor(new Float64Array(5), [5]))).toThrow(/shapes \[5\] and \[-1, 5\]/);
  });

  it('accepts any input shape with the right number of features per row', () => {
    const x3d = new Tensor(x.data, [23, 1, 5]);
    expect(net.predict(x3d).data).toEqual(net.predict(x).data);
  });

  it('takes float32 input into a float64 network', () => {
    const scores = net.predict(x.astype('float32'));
    expect(scores.dtype).toBe('float64');
    oracle.forEach((row, r) => row.forEach((v, c) => expect(scores.data[r * 4 + c]).toBeCloseTo(v, 5)));
  });

  it('kinkSignature marks every hidden unit whose input was <= 0 in the last forward', () => {
    net.predict(x);
    const sig = net.kinkSignature();
    expect(sig).toHaveLength(23 * 6);
    const W1 = net.params.W1!.data;
    const b1 = net.params.b1!.data;
    for (let r = 0; r < 23; r++) {
      for (let j = 0; j < 6; j++) {
        let a = b1[j]!;
        for (let k = 0; k < 5; k++) a += x.data[r * 5 + k]! * W1[k * 6 + j]!;
        expect(sig[r * 6 + j]).toBe(a <= 0 ? 1 : 0);
      }
    }
  });
});

describe('float32 and float64 networks', () => {
  it('agree on predictions to float32 precision', () => {
    const f64 = build(defaultSpec(3, 8), [4], { dtype: 'float64', seed: 5 });
    const f32 = build(defaultSpec(3, 8), [4], { dtype: 'float32', seed: 5 });
    const data = blobs(40, 4, 3, new Rng(2), 'float32');
    const s64 = f64.predict(data.x);
    const s32 = f32.predict(data.x);
    expect(s32.dtype).toBe('float32');
    for (let i = 0; i < s64.size; i++) expect(Math.abs(s32.data[i]! - s64.data[i]!)).toBeLessThan(1e-6);
    expect(f32.loss(data.x, data.labels)).toBeCloseTo(f64.loss(data.x, data.labels), 5);
  });
});

describe('Network.gradient against the numerical gradient (float64)', () => {
  /** checkGradients' view of the network: the loss on a fixed batch, and backprop's grads. */
  function target(net: Network, x: Tensor, t: Int32Array | Tensor, kinks: boolean) {
    return {
      params: net.params,
      loss: () => net.loss(x, t, true),
      gradients: () => {
        net.gradient(x, t);
        return net.grads;
      },
      ...(kinks ? { kinkSignature: () => net.kinkSignature() } : {}),
    };
  }

  it('matches checkGradients for Affine → ReLU → Affine → SoftmaxWithLoss, with kinkSignature', () => {
    const spec: NetworkSpec = {
      layers: [{ type: 'affine', units: 6, weightInitStd: 'he' }, { type: 'relu' }, { type: 'affine', units: 3, weightInitStd: 'he' }],
      loss: 'softmax-with-loss',
    };
    const net = build(spec, [5], { dtype: 'float64', seed: 21 });
    for (let j = 0; j < 6; j++) net.params.b1!.data[j] = 0.1 * (j - 2.5);
    const x = randomRows(8, 5, 3);
    const t = Int32Array.from([0, 1, 2, 1, 0, 2, 2, 1]);
    const report = checkGradients(target(net, x, t, true), { tolerance: 1e-6 });
    expect(report.ok, report.summary).toBe(true);
    expect(report.params.map((p) => p.name)).toEqual(['W1', 'b1', 'W2', 'b2']);
    for (const p of report.params) expect(p.meanAbsDiff, p.name).toBeLessThan(1e-9);
  });

  it('matches numericalGradient entry by entry', () => {
    const net = build(defaultSpec(4, 7), [3], { dtype: 'float64', seed: 9 });
    for (const p of Object.values(net.params)) for (let i = 0; i < p.size; i++) p.data[i] = 0.5 * new Rng(100 + i).normal();
    const x = randomRows(6, 3, 4);
    const t = Int32Array.from([3, 0, 1, 2, 3, 1]);
    net.gradient(x, t);
    for (const [name, p] of Object.entries(net.params)) {
      const backprop = net.grads[name]!.data.slice();
      const numerical = numericalGradient(() => net.loss(x, t, true), p);
      for (let i = 0; i < p.size; i++) expect(backprop[i], `${name}[${i}]`).toBeCloseTo(numerical.data[i]!, 7);
    }
  });

  it('matches checkGradients through a plugin layer with its own parameter', () => {
    const spec: NetworkSpec = {
      layers: [{ type: 'affine', units: 5, weightInitStd: 0.5 }, { type: 'gain' }, { type: 'sigmoid' }, { type: 'affine', units: 3, weightInitStd: 0.5 }],
      loss: 'softmax-with-loss',
    };
    const net = build(spec, [4], { dtype: 'float64', seed: 4 });
    const x = randomRows(7, 4, 8);
    const t = Int32Array.from([0, 1, 2, 0, 1, 2, 0]);
    const report = checkGradients(target(net, x, t, true), { tolerance: 1e-6 });
    expect(report.ok, report.summary).toBe(true);
    expect(report.params.map((p) => p.name)).toEqual(['W1', 'b1', 'g1', 'W2', 'b2']);
  });

  it('matches checkGradients for identity-with-loss on real-valued targets', () => {
    const spec: NetworkSpec = {
      layers: [{ type: 'affine', units: 5, weightInitStd: 0.5 }, { type: 'relu' }, { type: 'affine', units: 2, weightInitStd: 0.5 }],
      loss: 'identity-with-loss',
    };
    const net = build(spec, [3], { dtype: 'float64', seed: 12 });
    const x = randomRows(6, 3, 5);
    const t = randomRows(6, 2, 6);
    const report = checkGradients(target(net, x, t, true), { tolerance: 1e-6 });
    expect(report.ok, report.summary).toBe(true);
  });

  it('is caught by the check when backprop is wrong (the oracle can fail)', () => {
    const net = build(defaultSpec(3, 4), [3], { dtype: 'float64', seed: 2 });
    for (const p of Object.values(net.params)) for (let i = 0; i < p.size; i++) p.data[i] = 0.5 * new Rng(7 + i).normal();
    const x = randomRows(5, 3, 1);
    const t = Int32Array.from([0, 1, 2, 0, 1]);
    const report = checkGradients({
      params: net.params,
      loss: () => net.loss(x, t, true),
      gradients: () => {
        net.gradient(x, t);
        net.grads.W2!.data[0]! *= 1.01;
        return net.grads;
      },
    });
    expect(report.ok).toBe(false);
    expect(report.params.find((p) => p.name === 'W2')!.ok).toBe(false);
    expect(report.params.find((p) => p.name === 'W1')!.ok).toBe(true);
  });

  it('keeps the scores of the batch for the trainer in lastScores', () => {
    const net = build(defaultSpec(3, 4), [3], { dtype: 'float64' });
    const x = randomRows(5, 3, 1);
    net.gradient(x, Int32Array.from([0, 1, 2, 0, 1]));
    expect(net.lastScores!.data).toEqual(net.predict(x).data);
  });
});

describe('rowsOf', () => {
  it('is a view of rows [start, end) sharing the memory', () => {
    const x = new Tensor(
      Float32Array.from({ length: 24 }, (_, i) => i),
      [4, 2, 3],
    );
    const view = rowsOf(x, 1, 3);
    expect(view.shape).toEqual([2, 2, 3]);
    expect(Array.from(view.data)).toEqual(Array.from({ length: 12 }, (_, i) => i + 6));
    view.data[0] = -1;
    expect(x.data[6]).toBe(-1);
  });
});

describe('Network.gradientCheckTarget', () => {
  it('gives checkGradients what it needs, with the gradients copied so later passes cannot change them', () => {
    const net = Network.build(defaultSpec(3, 5), { registry: builtinLayers(), inputShape: [4], rng: new Rng(3), dtype: 'float64', classes: 3 });
    const x = randn([6, 4], new Rng(4), { dtype: 'float64' });
    const t = Int32Array.from([0, 1, 2, 2, 1, 0]);
    const target = net.gradientCheckTarget(x, t);
    expect(target.params).toBe(net.params);
    expect(target.loss()).toBe(net.loss(x, t));
    const g = target.gradients();
    expect(Object.keys(g)).toEqual(['W1', 'b1', 'W2', 'b2']);
    expect(g.W1).not.toBe(net.grads.W1);
    expect(Array.from(g.W1!.data)).toEqual(Array.from(net.grads.W1!.data));
    // The same check as one spelled out by hand against the network's own methods.
    const byHand = checkGradients({
      params: net.params,
      loss: () => net.loss(x, t),
      gradients: () => {
        net.gradient(x, t);
        return Object.fromEntries(Object.entries(net.grads).map(([k, v]) => [k, v.clone()]));
      },
      kinkSignature: () => net.kinkSignature(),
    });
    const report = checkGradients(target);
    expect(report.params).toEqual(byHand.params);
    for (const p of report.params) expect(p.meanAbsDiff, p.name).toBeLessThan(1e-9);
  });
});
