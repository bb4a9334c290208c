import { gatherLabels, gatherRows } from '@dlfs/data';
import { checkGradients } from '@dlfs/gradcheck';
import { builtinLayers } from '@dlfs/layers';
import { defaultSpec, Network, Trainer } from '@dlfs/model';
import { SGD } from '@dlfs/optimizers';
import { type DType, Rng, Tensor } from '@dlfs/tensor';
import { type BenchData, PARAM_KEYS, type ParamKey } from '../bench-data.js';
import { backendDetails, currentBackend, useBackend } from './dlfs-backend.js';
import type { CheckResult, Trainer as BenchTrainer, TrainConfig } from './trainer.js';

/** The chapter-5 network with the data file's initial weights, in `dtype`. */
function buildNetwork(data: BenchData, dtype: DType): Network {
  const network = Network.build(defaultSpec(data.classes, data.hidden), {
    registry: builtinLayers(),
    inputShape: [data.cols],
    rng: new Rng(0),
    dtype,
  });
  // The data file's weights replace the ones just drawn, so every implementation starts alike.
  for (const k of PARAM_KEYS) network.params[k]!.data.set(data.params[k]);
  return network;
}

function l1(t: Tensor): number {
  let s = 0;
  for (const v of t.data) s += Math.abs(v);
  return s;
}

/** More iterations than any benchmark runs: the trainer's run never ends on its own. */
const ENDLESS = 1_000_000_000;

/** `iters` steps of `trainer`; the last step's loss. */
export function runSteps(trainer: Trainer, iters: number): number {
  let loss = Number.NaN;
  for (let i = 0; i < iters; i++) loss = trainer.step().loss;
  return loss;
}

/**
 * dlfs: the library's own Trainer, stepped: each `step()` draws and gathers a batch with
 * replacement (the book's np.random.choice + x[mask]), runs `network.gradient(x, t)` and
 * `optimizer.update(params, grads)`, and does its bookkeeping (the batch accuracy, the epoch's
 * end every rows / batch iterations) as `dlfs train` does.
 */
export class DlfsTrainer implements BenchTrainer {
  private readonly network: Network;
  private readonly optimizer: SGD;
  private readonly trainer: Trainer;
  private readonly x: Tensor;

  private constructor(
    private readonly data: BenchData,
    private readonly dtype: DType,
    config: TrainConfig,
  ) {
    this.network = buildNetwork(data, dtype);
    this.optimizer = new SGD({ lr: config.lr });
    // float64 runs get their own float64 copy of the digits once, as NumPy float64 does.
    this.x = new Tensor(data.x, [data.rows, data.cols]).astype(dtype);
    this.trainer = new Trainer(this.network, { x: this.x, labels: data.labels }, undefined, {
      optimizer: this.optimizer,
      batchSize: config.batchSize,
      iterations: ENDLESS,
      sampling: 'replacement',
      rng: new Rng(config.seed),
    });
  }

  /** Switches @dlfs/tensor to `backend` first (when given): one backend per process. */
  static async create(data: BenchData, opts: { dtype: DType; backend?: string; config: TrainConfig }): Promise<DlfsTrainer> {
    if (opts.backend !== undefined) await useBackend(opts.backend);
    return new DlfsTrainer(data, opts.dtype, opts.config);
  }

  run(iters: number): number {
    return runSteps(this.trainer, iters);
  }

  check(indices: Int32Array): CheckResult {
    const x = gatherRows(this.x, indices);
    const t = gatherLabels(this.data.labels, indices);
    const loss0 = this.network.gradient(x, t);
    const gradL1 = Object.fromEntries(PARAM_KEYS.map((k) => [k, l1(this.network.grads[k]!)])) as Record<ParamKey, number>;
    this.optimizer.update(this.network.params, this.network.grads);
    return { loss0, loss1: this.network.loss(x, t), gradL1 };
  }

  info(): Record<string, unknown> {
    return { backend: currentBackend(), dtype: this.dtype, backendInfo: backendDetails() };
  }

  dispose(): void {}
}

export interface GradcheckTiming {
  seconds: number;
  params: { name: string; meanAbsDiff: number; maxRelErrorSmooth?: number; kinks?: number }[];
  ok?: boolean;
}

/**
 * 5.7.3 as `dlfs gradcheck` runs it: checkGradients on a float64 Network over the first
 * `samples` digits, with ReLU-kink detection. Only the check itself is timed.
 */
export function dlfsGradcheck(data: BenchData, samples: number): GradcheckTiming {
  const network = buildNetwork(data, 'float64');
  const pick = Int32Array.from({ length: samples }, (_, i) => i);
  const x = gatherRows(new Tensor(data.x, [data.rows, data.cols]), pick).astype('float64');
  const t = gatherLabels(data.labels, pick);
  const started = performance.now();
  const report = checkGradients(network.gradientCheckTarget(x, t));
  const seconds = (performance.now() - started) / 1000;
  return {
    seconds,
    ok: report.ok,
    params: report.params.map((p) => ({ name: p.name, meanAbsDiff: p.meanAbsDiff, maxRelErrorSmooth: p.maxRelErrorSmooth, kinks: p.kinks })),
  };
}
