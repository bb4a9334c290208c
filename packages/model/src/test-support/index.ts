// Helpers shared by the model tests: small synthetic data, the MNIST sample split into training
// and validation rows, plugin layers a test registry can hold, and a temporary directory.
// Excluded from the build (tsconfig.build.json).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MnistSample } from '@dlfs/datasets';
import { loadMnistSample } from '@dlfs/datasets/node';
import type { ForwardContext } from '@dlfs/core';
import { builtinLayers, type Layer, type LayerDef, type LayerRegistry } from '@dlfs/layers';
import { allocate, type DType, type Rng, Tensor } from '@dlfs/tensor';
import { afterAll, beforeAll } from 'vitest';
import type { LabelledData } from '../trainer.js';

/**
 * `rows` points in `features` dimensions around `classes` well separated centres (row i has
 * class i mod classes), with a little Gaussian noise: easy to learn in a few iterations.
 */
export function blobs(rows: number, features: number, classes: number, rng: Rng, dtype: DType = 'float32'): LabelledData {
  const centres = Array.from({ length: classes }, () => Array.from({ length: features }, () => rng.uniform()));
  const x = allocate(dtype, rows * features);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const c = r % classes;
    labels[r] = c;
    for (let j = 0; j < features; j++) x[r * features + j] = centres[c]![j]! + 0.05 * rng.normal();
  }
  return { x: new Tensor(x, [rows, features]), labels };
}

let mnist: MnistSample | undefined;

/** The bundled 10,000 real MNIST digits (float32 in 0..1), loaded once per test file. */
export function mnistSample(): MnistSample {
  mnist ??= loadMnistSample();
  return mnist;
}

/**
 * Rows [start, start + count) of the MNIST sample as a copy, each pixel multiplied by `scale`:
 * 1 for the sample's 0..1 values, 255 for the raw pixels of a Kaggle CSV.
 */
export function mnistRows(start: number, count: number, scale = 1): LabelledData {
  const s = mnistSample();
  const x = new Float32Array(count * 784);
  const src = s.x.data.subarray(start * 784, (start + count) * 784);
  for (let i = 0; i < x.length; i++) x[i] = src[i]! * scale;
  return { x: new Tensor(x, [count, 784]), labels: s.labels.slice(start, start + count) };
}

/**
 * A plugin layer with a parameter: y = x ⊙ g, one gain per feature (g starts near 1).
 * dx = dout ⊙ g, dg = Σ over the batch of dout ⊙ x.
 */
export const gain: LayerDef<Record<string, never>> = {
  type: 'gain',
  description: 'y = x ⊙ g, one learnt gain per feature',
  create(_config, { rng, inputShape, dtype = 'float64' }): Layer {
    const width = inputShape.reduce((a, b) => a * b, 1);
    const g = new Tensor(allocate(dtype, width), [width]);
    for (let j = 0; j < width; j++) g.data[j] = 1 + 0.1 * rng.normal();
    const dg = new Tensor(allocate(dtype, width), [width]);
    let x: Tensor | undefined;
    return {
      params: { g },
      grads: { g: dg },
      outputShape: [...inputShape],
      forward(input) {
        x = input;
        const y = new Tensor(allocate(input.dtype, input.size), input.shape);
        for (let i = 0; i < input.size; i++) y.data[i] = input.data[i]! * g.data[i % width]!;
        return y;
      },
      backward(dout) {
        dg.data.fill(0);
        const dx = new Tensor(allocate(dout.dtype, dout.size), dout.shape);
        for (let i = 0; i < dout.size; i++) {
          dx.data[i] = dout.data[i]! * g.data[i % width]!;
          dg.data[i % width] = dg.data[i % width]! + dout.data[i]! * x!.data[i]!;
        }
        return dx;
      },
    };
  },
};

/**
 * A plugin layer that passes its input through, until it has done `after` forward passes in
 * training mode: from then on it outputs NaN, as a layer that blew up would.
 */
export const nanAfter: LayerDef<{ after: number }> = {
  type: 'nan-after',
  validate(config) {
    const after = (config as { after?: unknown }).after;
    if (typeof after !== 'number') throw new Error('"after" must be a number');
    return { after };
  },
  create({ after }, { inputShape }): Layer {
    let calls = 0;
    return {
      params: {},
      grads: {},
      outputShape: [...inputShape],
      forward(x, ctx) {
        if (!ctx?.train) return x;
        calls++;
        return calls > after ? new Tensor(allocate(x.dtype, x.size).fill(NaN), x.shape) : x;
      },
      backward: (dout) => dout,
    };
  },
};

/** What `recorder` layers saw: one entry per training-mode forward, the first feature of every row. */
export const recorded: number[][] = [];

/** A plugin layer that passes its input through and records, per training batch, the first feature of each row. */
export const recorder: LayerDef<Record<string, never>> = {
  type: 'recorder',
  create(_config, { inputShape }): Layer {
    const width = inputShape.reduce((a, b) => a * b, 1);
    return {
      params: {},
      grads: {},
      outputShape: [...inputShape],
      forward(x, ctx) {
        if (ctx?.train) recorded.push(Array.from({ length: x.shape[0]! }, (_, r) => x.data[r * width]!));
        return x;
      },
      backward: (dout) => dout,
    };
  },
};

/** What `shape-recorder` layers saw: the shape of every input. */
export const shapesSeen: (readonly number[])[] = [];

/** A plugin layer that passes its input through and records its shape. */
export const shapeRecorder: LayerDef<Record<string, never>> = {
  type: 'shape-recorder',
  create(_config, { inputShape }): Layer {
    return {
      params: {},
      grads: {},
      outputShape: [...inputShape],
      forward(x) {
        shapesSeen.push(x.shape);
        return x;
      },
      backward: (dout) => dout,
    };
  },
};

/**
 * A plugin layer with state, like batch-norm (6.3) but simpler: y = x − μ + beta per feature,
 * with μ the batch mean in training and the running mean (state, m = 0.9) in evaluation; the
 * running mean is updated by training passes that allow it. dx = dout − mean(dout) in
 * training, dout in evaluation; dbeta = Σ dout.
 */
export const runningCentre: LayerDef<Record<string, never>> = {
  type: 'running-centre',
  capabilities: { stateful: true },
  create(_config, { inputShape, dtype = 'float64' }): Layer {
    const width = inputShape.reduce((a, b) => a * b, 1);
    const beta = new Tensor(allocate(dtype, width), [width]);
    const dbeta = new Tensor(allocate(dtype, width), [width]);
    const runningMean = new Tensor(allocate(dtype, width), [width]);
    let train = false;
    return {
      params: { beta },
      grads: { beta: dbeta },
      state: { runningMean },
      outputShape: [...inputShape],
      forward(x, ctx?: ForwardContext) {
        train = ctx?.train ?? false;
        const rows = x.shape[0]!;
        const mu = new Float64Array(width);
        for (let i = 0; i < x.size; i++) mu[i % width] = mu[i % width]! + x.data[i]! / rows;
        const centre = train ? mu : runningMean.data;
        const y = new Tensor(allocate(x.dtype, x.size), x.shape);
        for (let i = 0; i < x.size; i++) y.data[i] = x.data[i]! - centre[i % width]! + beta.data[i % width]!;
        if (train && (ctx?.updateState ?? true)) for (let j = 0; j < width; j++) runningMean.data[j] = 0.9 * runningMean.data[j]! + 0.1 * mu[j]!;
        return y;
      },
      backward(dout) {
        const rows = dout.shape[0]!;
        const meanDout = new Float64Array(width);
        dbeta.data.fill(0);
        for (let i = 0; i < dout.size; i++) {
          meanDout[i % width] = meanDout[i % width]! + dout.data[i]! / rows;
          dbeta.data[i % width] = dbeta.data[i % width]! + dout.data[i]!;
        }
        const dx = new Tensor(allocate(dout.dtype, dout.size), dout.shape);
        for (let i = 0; i < dout.size; i++) dx.data[i] = dout.data[i]! - (train ? meanDout[i % width]! : 0);
        return dx;
      },
    };
  },
};

/** What `coin-mask` layers drew: one entry per training forward, the mask as 0/1. */
export const masksDrawn: number[][] = [];

/**
 * A plugin layer with a random mask, like dropout (6.4.3): in training y = x ⊙ m / 0.5 with
 * m ~ Bernoulli(0.5) per element from the pass's rng; in evaluation y = x.
 */
export const coinMask: LayerDef<Record<string, never>> = {
  type: 'coin-mask',
  capabilities: { random: true },
  create(_config, { inputShape, rng: own }): Layer {
    let mask: Float64Array | undefined;
    let train = false;
    return {
      params: {},
      grads: {},
      outputShape: [...inputShape],
      forward(x, ctx?: ForwardContext) {
        train = ctx?.train ?? false;
        const y = new Tensor(allocate(x.dtype, x.size), x.shape);
        if (!train) {
          y.data.set(x.data);
          return y;
        }
        const rng = ctx?.rng ?? own;
        mask = new Float64Array(x.size);
        for (let i = 0; i < x.size; i++) {
          mask[i] = rng.uniform() < 0.5 ? 2 : 0;
          y.data[i] = x.data[i]! * mask[i]!;
        }
        masksDrawn.push(Array.from(mask, (m) => (m > 0 ? 1 : 0)));
        return y;
      },
      backward(dout) {
        const dx = new Tensor(allocate(dout.dtype, dout.size), dout.shape);
        for (let i = 0; i < dout.size; i++) dx.data[i] = train ? dout.data[i]! * mask![i]! : dout.data[i]!;
        return dx;
      },
    };
  },
};

/** A ReLU under another name, declaring dead units like the built-in one. */
export const leakyNever: LayerDef<Record<string, never>> = {
  ...builtinLayers().get('relu'),
  type: 'clamp-at-zero',
} as LayerDef<Record<string, never>>;

/** The built-in layers plus the test plugins. */
export function testRegistry(): LayerRegistry {
  return builtinLayers().register(gain).register(nanAfter).register(recorder);
}

/** testRegistry() plus the plugins that exercise passes, state and capabilities. */
export function passRegistry(): LayerRegistry {
  return testRegistry().register(shapeRecorder).register(runningCentre).register(coinMask).register(leakyNever);
}

/** Every entry of every parameter, copied. */
export function snapshotParams(params: Readonly<Record<string, Tensor>>): Record<string, Float32Array | Float64Array> {
  return Object.fromEntries(Object.entries(params).map(([name, p]) => [name, p.data.slice()]));
}

/** A temporary directory for the test file's files, removed after its tests. */
export function useTempDir(prefix: string): { path(name: string): string; dir(): string } {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return { path: (name) => join(dir, name), dir: () => dir };
}
