import { Rng } from '@dlfs/tensor';
import * as tf from '@tensorflow/tfjs-core';
import type { BenchData } from '../bench-data.js';
import { CONV_PARAM_KEYS, CONV_SHAPES, type ConvConfig, type ConvParamKey, type ConvParams, gradientSums } from '../conv-data.js';
import type { ConvCheckResult, ConvTrainer } from './conv-trainer.js';
import { prepareTfjs, type TfjsBackend } from './tfjs.js';

/** SimpleConvNet's sizes: 28×28 digits, 30 filters of 5×5 → 24×24, pooled to 12×12, 100 hidden units, 10 classes. */
const SIDE = 28;
const FILTERS = 30;
const FSIZE = 5;
const POOLED = 12;
const HIDDEN = 100;

/**
 * Row j of W2 in TF.js's layout is row perm[j] of the book's. TF.js is channels-last (NHWC),
 * so the pooled [12, 12, 30] flattens with index (y·12 + x)·30 + c; the book's Affine flattens
 * [30, 12, 12] (NCHW) with c·144 + y·12 + x.
 */
function w2Rows(): Int32Array {
  const perm = new Int32Array(FILTERS * POOLED * POOLED);
  for (let y = 0; y < POOLED; y++)
    for (let x = 0; x < POOLED; x++) for (let c = 0; c < FILTERS; c++) perm[(y * POOLED + x) * FILTERS + c] = c * POOLED * POOLED + y * POOLED + x;
  return perm;
}

type Vars = Record<ConvParamKey, tf.Variable>;

/**
 * TensorFlow.js 4.22 (tfjs-core with its cpu or wasm backend, production mode), SimpleConvNet
 * written from tf ops as the book's layers: tf.conv2d + bias → tf.relu → tf.maxPool → matMul ...
 * → logSoftmax, in TF.js's own channels-last layout (the shared weights are put in that layout
 * once, at setup). The Node bundle of tfjs-core registers no gradient functions (tf.grad needs
 * the union package @tensorflow/tfjs), so backward is written out too, with the backends' own
 * gradient kernels where an op has no public form: `Conv2DBackpropFilter` for ∂L/∂W1 and
 * `MaxPoolGrad` for pooling (through tf.engine().runKernel). Adam is the book's, from tf ops
 * and variable assignments. The wasm backend registers no Conv2DBackpropFilter: it cannot
 * train this network, and its step throws saying so.
 */
export class TfjsConvTrainer implements ConvTrainer {
  private readonly x: tf.Tensor2D;
  private readonly labels: tf.Tensor1D;
  private readonly vars: Vars;
  private readonly m: Vars;
  private readonly v: Vars;
  private readonly rng: Rng;
  private readonly draws: Int32Array;
  private readonly perm = w2Rows();
  private iter = 0;

  private constructor(
    private readonly data: BenchData,
    params: ConvParams,
    private readonly backend: TfjsBackend,
    private readonly config: ConvConfig,
  ) {
    this.x = tf.tensor2d(data.x, [data.rows, data.cols], 'float32');
    this.labels = tf.tensor1d(data.labels, 'int32');
    const W2 = new Float32Array(params.W2.length);
    for (let j = 0; j < this.perm.length; j++) W2.set(params.W2.subarray(this.perm[j]! * HIDDEN, (this.perm[j]! + 1) * HIDDEN), j * HIDDEN);
    const initial: Record<ConvParamKey, tf.Tensor> = {
      // [filters, C, fh, fw] → [fh, fw, C, filters]
      W1: tf.transpose(tf.tensor4d(Float32Array.from(params.W1), CONV_SHAPES.W1 as [number, number, number, number]), [2, 3, 1, 0]),
      b1: tf.tensor1d(Float32Array.from(params.b1)),
      W2: tf.tensor2d(W2, CONV_SHAPES.W2 as [number, number]),
      b2: tf.tensor1d(Float32Array.from(params.b2)),
      W3: tf.tensor2d(Float32Array.from(params.W3), CONV_SHAPES.W3 as [number, number]),
      b3: tf.tensor1d(Float32Array.from(params.b3)),
    };
    const vars = (f: (t: tf.Tensor) => tf.Tensor): Vars => Object.fromEntries(CONV_PARAM_KEYS.map((k) => [k, tf.variable(f(initial[k]), true)])) as Vars;
    this.vars = vars((t) => t);
    this.m = vars((t) => tf.zerosLike(t));
    this.v = vars((t) => tf.zerosLike(t));
    for (const k of CONV_PARAM_KEYS) initial[k].dispose();
    this.rng = new Rng(config.seed);
    this.draws = new Int32Array(config.batchSize);
  }

  static async create(data: BenchData, params: ConvParams, opts: { backend: TfjsBackend; config: ConvConfig }): Promise<TfjsConvTrainer> {
    prepareTfjs();
    if (!(await tf.setBackend(opts.backend))) throw new Error(`TensorFlow.js could not start its ${opts.backend} backend`);
    await tf.ready();
    return new TfjsConvTrainer(data, params, opts.backend, opts.config);
  }

  private batch(idx: tf.Tensor1D): { x: tf.Tensor4D; t: tf.Tensor2D } {
    const n = idx.shape[0];
    return {
      x: tf.reshape(tf.gather(this.x, idx), [n, SIDE, SIDE, 1]),
      t: tf.oneHot(tf.gather(this.labels, idx), this.data.classes) as tf.Tensor2D,
    };
  }

  private forward(x: tf.Tensor4D) {
    const { W1, b1, W2, b2, W3, b3 } = this.vars;
    const n = x.shape[0];
    const a1 = tf.add(tf.conv2d(x, W1 as tf.Tensor4D, 1, 'valid'), b1) as tf.Tensor4D; // 7.4.3: every filter on every window, + b
    const z1 = tf.relu(a1);
    const p1 = tf.maxPool(z1, 2, 2, 'valid'); // 7.4.4: the max of each 2×2 window
    const f1 = tf.reshape(p1, [n, FILTERS * POOLED * POOLED]) as tf.Tensor2D;
    const a2 = tf.add(tf.matMul(f1, W2 as tf.Tensor2D), b2) as tf.Tensor2D; // 5.6.2: X · W + B
    const z2 = tf.relu(a2);
    const a3 = tf.add(tf.matMul(z2, W3 as tf.Tensor2D), b3) as tf.Tensor2D;
    return { a1, z1, p1, f1, a2, z2, logY: tf.logSoftmax(a3) };
  }

  private lossOf(logY: tf.Tensor2D, t: tf.Tensor2D): tf.Scalar {
    return tf.div(tf.neg(tf.sum(tf.mul(t, logY))), t.shape[0]) as tf.Scalar;
  }

  /** Forward, backward and the book's Adam update; returns the loss (kept) and, when asked, the gradients in the book's layout. */
  private step(idx: tf.Tensor1D, wantGrads: boolean): { loss: tf.Scalar; grads?: Record<ConvParamKey, Float32Array> } {
    return tf.tidy(() => {
      const { x, t } = this.batch(idx);
      const { a1, z1, p1, f1, a2, z2, logY } = this.forward(x);
      const loss = this.lossOf(logY, t);
      const { W2, W3 } = this.vars;
      const dy = tf.div(tf.sub(tf.exp(logY), t), t.shape[0]) as tf.Tensor2D; // 5.6.3: (y − t) / N
      const dW3 = tf.matMul(z2, dy, true, false); // dW = xᵀ · dout
      const db3 = tf.sum(dy, 0);
      const da2 = tf.mul(tf.matMul(dy, W3 as tf.Tensor2D, false, true), tf.step(a2)); // dx = dout · Wᵀ, then ReLU's mask
      const dW2 = tf.matMul(f1, da2, true, false);
      const db2 = tf.sum(da2, 0);
      const dp1 = tf.reshape(tf.matMul(da2, W2 as tf.Tensor2D, false, true), p1.shape);
      const dz1 = tf
        .engine()
        .runKernel(tf.MaxPoolGrad, { dy: dp1, input: z1, output: p1 }, { filterSize: [2, 2], strides: [2, 2], pad: 'valid' }) as tf.Tensor4D;
      const da1 = tf.mul(dz1, tf.step(a1));
      const db1 = tf.sum(da1, [0, 1, 2]);
      const dW1 = tf
        .engine()
        .runKernel(
          tf.Conv2DBackpropFilter,
          { x, dy: da1 },
          { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', filterShape: [FSIZE, FSIZE, 1, FILTERS] },
        ) as tf.Tensor4D;
      const g: Record<ConvParamKey, tf.Tensor> = { W1: dW1, b1: db1, W2: dW2, b2: db2, W3: dW3, b3: db3 };
      const grads = wantGrads ? this.bookLayout(g) : undefined;
      this.adam(g);
      return grads === undefined ? { loss } : { loss, grads };
    });
  }

  /** 6.1.6 as the book: m += (1 − β1)(g − m); v += (1 − β2)(g² − v); W −= lr_t · m / (√v + 1e-7). */
  private adam(g: Record<ConvParamKey, tf.Tensor>): void {
    const { lr, beta1, beta2 } = this.config;
    this.iter++;
    const lrT = (lr * Math.sqrt(1 - beta2 ** this.iter)) / (1 - beta1 ** this.iter);
    for (const k of CONV_PARAM_KEYS) {
      const m = this.m[k];
      const v = this.v[k];
      m.assign(tf.add(m, tf.mul(tf.sub(g[k]!, m), 1 - beta1)));
      v.assign(tf.add(v, tf.mul(tf.sub(tf.square(g[k]!), v), 1 - beta2)));
      this.vars[k].assign(tf.sub(this.vars[k], tf.div(tf.mul(m, lrT), tf.add(tf.sqrt(v), 1e-7))));
    }
  }

  /** The gradients read back in the book's layout: W1 as [filters, C, fh, fw], W2's rows in C, H, W order. */
  private bookLayout(g: Record<ConvParamKey, tf.Tensor>): Record<ConvParamKey, Float32Array> {
    const out = Object.fromEntries(CONV_PARAM_KEYS.map((k) => [k, g[k].dataSync() as Float32Array])) as Record<ConvParamKey, Float32Array>;
    out.W1 = tf.transpose(g.W1, [3, 2, 0, 1]).dataSync() as Float32Array;
    const W2 = new Float32Array(out.W2.length);
    for (let j = 0; j < this.perm.length; j++) W2.set(out.W2.subarray(j * HIDDEN, (j + 1) * HIDDEN), this.perm[j]! * HIDDEN);
    out.W2 = W2;
    return out;
  }

  run(iters: number): number {
    let last: tf.Scalar | undefined;
    for (let i = 0; i < iters; i++) {
      this.rng.choice(this.data.rows, this.config.batchSize, this.draws);
      const idx = tf.tensor1d(this.draws, 'int32');
      const { loss } = this.step(idx, false);
      idx.dispose();
      last?.dispose();
      last = loss;
    }
    // cpu and wasm run every op eagerly; reading the last loss makes sure nothing is left pending.
    const value = last === undefined ? Number.NaN : last.dataSync()[0]!;
    last?.dispose();
    return value;
  }

  check(indices: Int32Array): ConvCheckResult {
    const idx = tf.tensor1d(indices, 'int32');
    try {
      const { loss, grads } = this.step(idx, true);
      const loss0 = loss.dataSync()[0]!;
      loss.dispose();
      const loss1 = tf.tidy(() => {
        const { x, t } = this.batch(idx);
        return this.lossOf(this.forward(x).logY, t).dataSync()[0]!;
      });
      return { loss0, loss1, ...gradientSums(grads!) };
    } finally {
      idx.dispose();
    }
  }

  info(): Record<string, unknown> {
    const f = tf.env().features;
    return {
      backend: tf.getBackend(),
      tfjs: tf.version_core,
      prodMode: tf.env().getBool('PROD'),
      ...(this.backend === 'wasm' ? { wasmSimd: f.WASM_HAS_SIMD_SUPPORT, wasmThreads: f.WASM_HAS_MULTITHREAD_SUPPORT } : {}),
      tensors: tf.memory().numTensors,
    };
  }

  dispose(): void {
    this.x.dispose();
    this.labels.dispose();
    for (const k of CONV_PARAM_KEYS) {
      this.vars[k].dispose();
      this.m[k].dispose();
      this.v[k].dispose();
    }
  }
}
