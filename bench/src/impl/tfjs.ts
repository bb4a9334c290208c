import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Rng } from '@dlfs/tensor';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { type BenchData, PARAM_KEYS, paramShapes, type ParamKey } from '../bench-data.js';
import type { CheckResult, Trainer, TrainConfig } from './trainer.js';

export type TfjsBackend = 'cpu' | 'wasm';

let prepared = false;

/** Quiet, production-mode TF.js whose wasm backend loads its .wasm files from node_modules. */
export function prepareTfjs(): void {
  if (prepared) return;
  prepared = true;
  // The wasm backend reads tfjs-backend-wasm-simd.wasm (or the plain one) from this folder: nothing is fetched.
  const dist = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  setWasmPaths(`${dist}/`);
  // Production mode skips TF.js's debug checks, as its docs advise for speed.
  tf.enableProdMode();
  // The "install tfjs-node" banner goes to console.warn; tfjs-node is not part of this comparison.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('TensorFlow.js in Node.js')) return;
    warn(...args);
  };
}

type Params = Record<ParamKey, tf.Variable>;

/**
 * TensorFlow.js with the step written by hand from tf ops, forward and backward, as the book's
 * layers do it: Affine → ReLU → Affine → SoftmaxWithLoss, then W ← W − η·∂L/∂W as variable
 * assignments. (The Node bundle of tfjs-core 4.22 registers no gradient functions, so tf.grad
 * needs the union package @tensorflow/tfjs; an explicit backward needs nothing more and skips
 * the tape.) Batches are drawn with replacement (a seeded Rng picks the rows) and gathered on
 * the backend with tf.gather; labels become one-hot rows with tf.oneHot. The loss is computed in
 * log space, −(1/N) Σ t · logSoftmax(a2), as dlfs computes it.
 */
export class TfjsTrainer implements Trainer {
  private readonly x: tf.Tensor2D;
  private readonly labels: tf.Tensor1D;
  private readonly params: Params;
  private readonly rng: Rng;
  private readonly draws: Int32Array;

  private constructor(
    private readonly data: BenchData,
    private readonly backend: TfjsBackend,
    private readonly config: TrainConfig,
  ) {
    this.x = tf.tensor2d(data.x, [data.rows, data.cols], 'float32');
    this.labels = tf.tensor1d(data.labels, 'int32');
    const shapes = paramShapes(data);
    this.params = Object.fromEntries(
      PARAM_KEYS.map((k) => [k, tf.variable(tf.tensor(Float32Array.from(data.params[k]), shapes[k], 'float32'), true)]),
    ) as Params;
    this.rng = new Rng(config.seed);
    this.draws = new Int32Array(config.batchSize);
  }

  static async create(data: BenchData, opts: { backend: TfjsBackend; config: TrainConfig }): Promise<TfjsTrainer> {
    prepareTfjs();
    if (!(await tf.setBackend(opts.backend))) throw new Error(`TensorFlow.js could not start its ${opts.backend} backend`);
    await tf.ready();
    return new TfjsTrainer(data, opts.backend, opts.config);
  }

  private batch(idx: tf.Tensor1D): { x: tf.Tensor2D; t: tf.Tensor2D } {
    return { x: tf.gather(this.x, idx), t: tf.oneHot(tf.gather(this.labels, idx), this.data.classes) as tf.Tensor2D };
  }

  /** Scores and log-probabilities of a batch. */
  private forward(x: tf.Tensor2D): { a1: tf.Tensor2D; z1: tf.Tensor2D; logY: tf.Tensor2D } {
    const { W1, b1, W2, b2 } = this.params;
    const a1 = tf.add(tf.matMul(x, W1 as tf.Tensor2D), b1) as tf.Tensor2D; // 5.6.2: X · W + B
    const z1 = tf.relu(a1);
    const a2 = tf.add(tf.matMul(z1, W2 as tf.Tensor2D), b2) as tf.Tensor2D;
    return { a1, z1, logY: tf.logSoftmax(a2) };
  }

  private lossOf(logY: tf.Tensor2D, t: tf.Tensor2D): tf.Scalar {
    return tf.div(tf.neg(tf.sum(tf.mul(t, logY))), t.shape[0]) as tf.Scalar;
  }

  /** Forward, backward and SGD update; returns the loss tensor (kept) and the grads' L1 when asked. */
  private step(idx: tf.Tensor1D, wantL1: boolean): { loss: tf.Scalar; gradL1?: Record<ParamKey, number> } {
    return tf.tidy(() => {
      const { x, t } = this.batch(idx);
      const { a1, z1, logY } = this.forward(x);
      const loss = this.lossOf(logY, t);
      const { W2 } = this.params;
      const dy = tf.div(tf.sub(tf.exp(logY), t), t.shape[0]) as tf.Tensor2D; // 5.6.3: (y − t) / N
      const dW2 = tf.matMul(z1, dy, true, false); // dW = xᵀ · dout
      const db2 = tf.sum(dy, 0); // db = Σ dout over the batch
      const dz1 = tf.matMul(dy, W2 as tf.Tensor2D, false, true); // dx = dout · Wᵀ
      const da1 = tf.mul(dz1, tf.step(a1)); // 5.5.1: dout where a1 > 0, else 0
      const dW1 = tf.matMul(x, da1, true, false);
      const db1 = tf.sum(da1, 0);
      const grads: Record<ParamKey, tf.Tensor> = { W1: dW1, b1: db1, W2: dW2, b2: db2 };
      const gradL1 = wantL1 ? (Object.fromEntries(PARAM_KEYS.map((k) => [k, tf.sum(tf.abs(grads[k])).dataSync()[0]!])) as Record<ParamKey, number>) : undefined;
      for (const k of PARAM_KEYS) this.params[k].assign(tf.sub(this.params[k], tf.mul(grads[k], this.config.lr)));
      return gradL1 === undefined ? { loss } : { loss, gradL1 };
    });
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

  check(indices: Int32Array): CheckResult {
    const idx = tf.tensor1d(indices, 'int32');
    const { loss, gradL1 } = this.step(idx, true);
    const loss0 = loss.dataSync()[0]!;
    loss.dispose();
    const loss1 = tf.tidy(() => {
      const { x, t } = this.batch(idx);
      return this.lossOf(this.forward(x).logY, t).dataSync()[0]!;
    });
    idx.dispose();
    return { loss0, loss1, gradL1: gradL1! };
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
    for (const k of PARAM_KEYS) this.params[k].dispose();
  }
}
