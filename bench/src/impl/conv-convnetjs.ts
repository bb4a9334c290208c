import { createRequire } from 'node:module';
import { Rng } from '@dlfs/tensor';
import type { BenchData } from '../bench-data.js';
import { type ConvConfig, type ConvParamKey, type ConvParams, gradientSums } from '../conv-data.js';
import type { ConvCheckResult, ConvTrainer } from './conv-trainer.js';

/** The parts of ConvNetJS 0.3 (an untyped CommonJS package) the bench uses. */
interface Vol {
  sx: number;
  sy: number;
  depth: number;
  w: Float64Array;
  dw: Float64Array;
}
interface Layer {
  layer_type: string;
  filters?: Vol[];
  biases?: Vol;
}
interface Net {
  layers: Layer[];
  makeLayers(defs: Record<string, unknown>[]): void;
  forward(v: Vol, isTraining?: boolean): Vol;
  backward(y: number): number;
  getParamsAndGrads(): { params: Float64Array; grads: Float64Array }[];
}
interface ConvnetjsModule {
  Vol: new (sx: number, sy: number, depth: number, c?: number) => Vol;
  Net: new () => Net;
}

const SIDE = 28;
const FILTERS = 30;
const FSIZE = 5;
const POOLED = 12;
const HIDDEN = 100;
const CLASSES = 10;

/** The layers as ConvNetJS defines them; `softmax` adds its own fully connected layer of num_classes before it. */
export const CONVNETJS_LAYERS = [
  { type: 'input', out_sx: SIDE, out_sy: SIDE, out_depth: 1 },
  // bias_pref 0: the book's zero biases (ConvNetJS would start at 0.1 for a layer declared with activation 'relu').
  { type: 'conv', sx: FSIZE, filters: FILTERS, stride: 1, pad: 0, bias_pref: 0 },
  { type: 'relu' },
  { type: 'pool', sx: 2, stride: 2 },
  { type: 'fc', num_neurons: HIDDEN, bias_pref: 0 },
  { type: 'relu' },
  { type: 'softmax', num_classes: CLASSES },
];

/** Where each parameterised layer is once ConvNetJS has added the softmax's fc: input, conv, relu, pool, fc, relu, fc, softmax. */
const CONV = 1;
const FC1 = 4;
const FC2 = 6;

/** ConvNetJS keeps a volume as [y][x][depth]: the pooled [12, 12, 30] flattens to (y·12 + x)·30 + c; the book's to c·144 + y·12 + x. */
function bookIndexOfHwc(j: number): number {
  const c = j % FILTERS;
  const yx = (j - c) / FILTERS;
  return c * POOLED * POOLED + yx;
}

/**
 * ConvNetJS 0.3.0 (Karpathy's plain-JavaScript library, npm `convnetjs`): its Net with conv
 * (5×5, 30 filters, stride 1, pad 0), relu, pool (2, stride 2), fc 100, relu, fc 10 + softmax,
 * float64 throughout, one sample at a time as its Trainer trains: each of the 100 samples of a
 * batch goes forward and backward and the gradients add up; after the 100th, every parameter
 * takes one update with gradient Σg / 100 and the gradients are zeroed. That update is the
 * book's Adam, applied here to net.getParamsAndGrads(): ConvNetJS 0.3.0, the version on npm,
 * has no Adam (its Trainer knows sgd, adagrad, windowgrad and adadelta; any other method name,
 * 'adam' included, silently runs SGD with momentum 0.9).
 */
export class ConvnetjsTrainer implements ConvTrainer {
  private readonly lib: ConvnetjsModule;
  private readonly net: Net;
  private readonly pg: { params: Float64Array; grads: Float64Array }[];
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private readonly rng: Rng;
  private readonly draws: Int32Array;
  private iter = 0;

  constructor(
    private readonly data: BenchData,
    params: ConvParams,
    private readonly config: ConvConfig,
  ) {
    this.lib = createRequire(import.meta.url)('convnetjs') as ConvnetjsModule;
    this.net = new this.lib.Net();
    this.net.makeLayers(CONVNETJS_LAYERS.map((d) => ({ ...d })));
    this.setParams(params);
    this.pg = this.net.getParamsAndGrads();
    this.m = this.pg.map((p) => new Float64Array(p.params.length));
    this.v = this.pg.map((p) => new Float64Array(p.params.length));
    this.rng = new Rng(config.seed);
    this.draws = new Int32Array(config.batchSize);
  }

  private layer(i: number, type: string): Required<Layer> {
    const l = this.net.layers[i];
    if (l?.layer_type !== type || l.filters === undefined || l.biases === undefined) {
      throw new Error(`ConvNetJS: layer ${i} is ${l?.layer_type ?? 'missing'}, expected ${type}; its layer list changed`);
    }
    return l as Required<Layer>;
  }

  /** The shared weights, put in ConvNetJS's layout: filter f's w[(5·fy + fx)·C + c] = W1[f, c, fy, fx]; fc neuron i's w[j] = W[j, i]. */
  private setParams(p: ConvParams): void {
    const conv = this.layer(CONV, 'conv');
    conv.filters.forEach((f, k) => {
      for (let fy = 0; fy < FSIZE; fy++) for (let fx = 0; fx < FSIZE; fx++) f.w[(FSIZE * fy + fx) * f.depth] = p.W1[k * FSIZE * FSIZE + fy * FSIZE + fx]!;
    });
    conv.biases.w.set(p.b1);
    const fc1 = this.layer(FC1, 'fc');
    fc1.filters.forEach((f, i) => {
      for (let j = 0; j < f.w.length; j++) f.w[j] = p.W2[bookIndexOfHwc(j) * HIDDEN + i]!;
    });
    fc1.biases.w.set(p.b2);
    const fc2 = this.layer(FC2, 'fc');
    fc2.filters.forEach((f, o) => {
      for (let i = 0; i < HIDDEN; i++) f.w[i] = p.W3[i * CLASSES + o]!;
    });
    fc2.biases.w.set(p.b3);
  }

  /** Row `row` of the digits as a 28×28×1 volume (the gather). */
  private sample(row: number): Vol {
    const v = new this.lib.Vol(SIDE, SIDE, 1, 0.0);
    v.w.set(this.data.x.subarray(row * this.data.cols, (row + 1) * this.data.cols));
    return v;
  }

  /** Forward and backward of every row, the gradients adding up; returns the mean loss. */
  private accumulate(rows: Int32Array): number {
    let loss = 0;
    for (const row of rows) {
      this.net.forward(this.sample(row), true);
      loss += this.net.backward(this.data.labels[row]!);
    }
    return loss / rows.length;
  }

  /** The book's Adam with ConvNetJS's batch gradient Σg / batch, then the gradients zeroed for the next batch. */
  private update(batch: number): void {
    const { lr, beta1, beta2 } = this.config;
    this.iter++;
    const lrT = (lr * Math.sqrt(1 - beta2 ** this.iter)) / (1 - beta1 ** this.iter);
    this.pg.forEach(({ params, grads }, i) => {
      const m = this.m[i]!;
      const v = this.v[i]!;
      for (let j = 0; j < params.length; j++) {
        const g = grads[j]! / batch;
        m[j]! += (1 - beta1) * (g - m[j]!);
        v[j]! += (1 - beta2) * (g * g - v[j]!);
        params[j]! -= (lrT * m[j]!) / (Math.sqrt(v[j]!) + 1e-7);
        grads[j] = 0;
      }
    });
  }

  run(iters: number): number {
    let loss = Number.NaN;
    for (let i = 0; i < iters; i++) {
      this.rng.choice(this.data.rows, this.config.batchSize, this.draws);
      loss = this.accumulate(this.draws);
      this.update(this.config.batchSize);
    }
    return loss;
  }

  /** The accumulated gradients divided by the batch, in the book's layout. */
  private bookGradients(batch: number): Record<ConvParamKey, Float64Array> {
    const conv = this.layer(CONV, 'conv');
    const fc1 = this.layer(FC1, 'fc');
    const fc2 = this.layer(FC2, 'fc');
    const W1 = new Float64Array(FILTERS * FSIZE * FSIZE);
    conv.filters.forEach((f, k) => {
      for (let q = 0; q < FSIZE * FSIZE; q++) W1[k * FSIZE * FSIZE + q] = f.dw[q * f.depth]! / batch;
    });
    const W2 = new Float64Array(FILTERS * POOLED * POOLED * HIDDEN);
    fc1.filters.forEach((f, i) => {
      for (let j = 0; j < f.dw.length; j++) W2[bookIndexOfHwc(j) * HIDDEN + i] = f.dw[j]! / batch;
    });
    const W3 = new Float64Array(HIDDEN * CLASSES);
    fc2.filters.forEach((f, o) => {
      for (let i = 0; i < HIDDEN; i++) W3[i * CLASSES + o] = f.dw[i]! / batch;
    });
    const per = (v: Vol): Float64Array => v.dw.map((g) => g / batch);
    return { W1, b1: per(conv.biases), W2, b2: per(fc1.biases), W3, b3: per(fc2.biases) };
  }

  check(indices: Int32Array): ConvCheckResult {
    const loss0 = this.accumulate(indices);
    const grads = this.bookGradients(indices.length);
    this.update(indices.length);
    let loss1 = 0;
    for (const row of indices) loss1 -= Math.log(this.net.forward(this.sample(row), false).w[this.data.labels[row]!]!);
    return { loss0, loss1: loss1 / indices.length, ...gradientSums(grads) };
  }

  info(): Record<string, unknown> {
    const pkg = createRequire(import.meta.url)('convnetjs/package.json') as { version: string };
    return {
      convnetjs: pkg.version,
      dtype: 'float64',
      optimizer: "the book's Adam on getParamsAndGrads() (ConvNetJS 0.3.0 has no Adam)",
    };
  }

  dispose(): void {}
}
