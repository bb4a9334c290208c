import { gatherLabels, gatherRows } from '@dlfs/data';
import { builtinLayers } from '@dlfs/layers';
import { Network, Trainer } from '@dlfs/model';
import { Adam } from '@dlfs/optimizers';
import { type DType, Rng, Tensor } from '@dlfs/tensor';
import type { BenchData } from '../bench-data.js';
import { CONV_PARAM_KEYS, CONV_SPEC, type ConvConfig, type ConvParamKey, type ConvParams, gradientSums } from '../conv-data.js';
import { backendDetails, currentBackend, useBackend } from './dlfs-backend.js';
import type { ConvCheckResult, ConvTrainer } from './conv-trainer.js';
import { runSteps } from './dlfs.js';

/** More iterations than any benchmark runs: the trainer's run never ends on its own. */
const ENDLESS = 1_000_000_000;

/** SimpleConvNet built from its spec by dlfs's Network, with the shared initial weights, in `dtype`. */
export function buildConvNetwork(params: ConvParams, dtype: DType): Network {
  const network = Network.build(CONV_SPEC, { registry: builtinLayers(), inputShape: [784], rng: new Rng(0), dtype });
  // The shared weights replace the ones just drawn, so every implementation starts alike.
  for (const k of CONV_PARAM_KEYS) network.params[k]!.data.set(params[k]);
  return network;
}

/**
 * dlfs: `Network.build` of the SimpleConvNet spec with @dlfs/layers' registry, stepped by the
 * model package's Trainer as `dlfs train --spec simple-convnet --optimizer adam` steps it:
 * BatchSampler.next() (sample with replacement + gather), network.gradient(x, t), Adam's
 * update, and the step's bookkeeping (batch accuracy, the epoch's end every 100 iterations).
 */
export class DlfsConvTrainer implements ConvTrainer {
  private readonly network: Network;
  private readonly optimizer: Adam;
  private readonly trainer: Trainer;
  private readonly x: Tensor;

  private constructor(
    private readonly data: BenchData,
    params: ConvParams,
    private readonly dtype: DType,
    config: ConvConfig,
    private readonly threads: number,
  ) {
    this.network = buildConvNetwork(params, dtype);
    this.optimizer = new Adam({ lr: config.lr, beta1: config.beta1, beta2: config.beta2 });
    this.x = new Tensor(data.x, [data.rows, data.cols]).astype(dtype);
    this.trainer = new Trainer(this.network, { x: this.x, labels: data.labels }, undefined, {
      optimizer: this.optimizer,
      batchSize: config.batchSize,
      iterations: ENDLESS,
      sampling: 'replacement',
      rng: new Rng(config.seed),
    });
  }

  /** Switches @dlfs/tensor to `backend` first (when given): one backend per process. The thread count is set by the caller. */
  static async create(
    data: BenchData,
    params: ConvParams,
    opts: { dtype: DType; backend?: string; config: ConvConfig; threads?: number },
  ): Promise<DlfsConvTrainer> {
    if (opts.backend !== undefined) await useBackend(opts.backend);
    return new DlfsConvTrainer(data, params, opts.dtype, opts.config, opts.threads ?? 1);
  }

  run(iters: number): number {
    return runSteps(this.trainer, iters);
  }

  check(indices: Int32Array): ConvCheckResult {
    const x = gatherRows(this.x, indices);
    const t = gatherLabels(this.data.labels, indices);
    const loss0 = this.network.gradient(x, t);
    const g = {} as Record<ConvParamKey, ArrayLike<number>>;
    for (const k of CONV_PARAM_KEYS) g[k] = this.network.grads[k]!.data as ArrayLike<number>;
    const grads = gradientSums(g);
    this.optimizer.update(this.network.params, this.network.grads);
    return { loss0, loss1: this.network.loss(x, t), ...grads };
  }

  /**
   * One step per batch of row indices, as the book's train_step: network.gradient, then Adam's
   * update. Returns every step's loss, the last step's gradients and the weights after the last
   * update, as float64 copies (the same-algorithm test compares them with the book's NumPy code).
   */
  steps(batches: readonly Int32Array[]): { losses: number[]; grads: ConvParams; params: ConvParams } {
    const losses: number[] = [];
    for (const indices of batches) {
      losses.push(this.network.gradient(gatherRows(this.x, indices), gatherLabels(this.data.labels, indices)));
      this.optimizer.update(this.network.params, this.network.grads);
    }
    const copy = (from: Network['params']): ConvParams => Object.fromEntries(CONV_PARAM_KEYS.map((k) => [k, Float64Array.from(from[k]!.data)])) as ConvParams;
    return { losses, grads: copy(this.network.grads), params: copy(this.network.params) };
  }

  info(): Record<string, unknown> {
    return { backend: currentBackend(), dtype: this.dtype, threads: this.threads, backendInfo: backendDetails() };
  }

  dispose(): void {}
}
