import type { ForwardContext } from '@dlfs/core';
import { BatchSampler } from '@dlfs/data';
import { builtinOptimizers, type Optimizer } from '@dlfs/optimizers';
import { Rng, type Tensor, zerosLike } from '@dlfs/tensor';
import { chanceAccuracy, checkChanceAccuracy, checkDeadRelu, deadReluFraction, type DoctorWarning, nonFiniteLoss } from './doctor.js';
import { type Network, rowsOf } from './network.js';

/** The doctor's first look waits for the first epoch that ends at or after this many iterations. */
export const DOCTOR_ITERATIONS = 50;

export interface LabelledData {
  /** [rows, ...inputShape], already scaled. */
  x: Tensor;
  /** Class index of every row. */
  labels: Int32Array;
}

export type Sampling = 'replacement' | 'epoch';

/** How long a run is, in the book's terms; computed once by planRun. */
export interface RunPlan {
  /** Training rows. */
  rows: number;
  /** Rows per mini-batch: the asked size, or all rows when there are fewer. */
  batchSize: number;
  sampling: Sampling;
  /** The book's iter_per_epoch: max(floor(rows / batch), 1) with replacement; ceil(rows / batch) for shuffled passes. */
  itersPerEpoch: number;
  /** Iterations in the whole run. */
  iterations: number;
  /** Epochs the run is planned to end in (the last may be short). */
  epochs: number;
}

/**
 * The length of a run from its data and settings: `iterations` (the book: 10,000) or `epochs`
 * (whole passes), never both. Epoch boundaries fall every itersPerEpoch iterations, and at the end.
 */
export function planRun(opts: { rows: number; batchSize: number; sampling?: Sampling; iterations?: number; epochs?: number }): RunPlan {
  const { rows } = opts;
  if (!(Number.isSafeInteger(opts.batchSize) && opts.batchSize >= 1))
    throw new RangeError(`train: batchSize must be a whole number >= 1, got ${String(opts.batchSize)}`);
  if (opts.iterations !== undefined && opts.epochs !== undefined) {
    throw new TypeError(`train: give iterations (${opts.iterations}) or epochs (${opts.epochs}), not both`);
  }
  for (const [name, v] of [
    ['iterations', opts.iterations],
    ['epochs', opts.epochs],
  ] as const) {
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= 1)) throw new RangeError(`train: ${name} must be a whole number >= 1, got ${String(v)}`);
  }
  const batchSize = Math.min(opts.batchSize, Math.max(rows, 1));
  const sampling = opts.sampling ?? 'replacement';
  const itersPerEpoch = sampling === 'epoch' ? Math.ceil(rows / batchSize) : Math.max(Math.floor(rows / batchSize), 1);
  const iterations = opts.iterations ?? (opts.epochs ?? 1) * itersPerEpoch;
  return { rows, batchSize, sampling, itersPerEpoch, iterations, epochs: Math.ceil(iterations / itersPerEpoch) };
}

/** The independent random streams of a run, all from one seed. */
export interface SeedStreams {
  /** Which rows are held out for validation. */
  split: Rng;
  /** The initial weights. */
  init: Rng;
  /** The mini-batches. */
  batch: Rng;
  /** The randomness inside training passes (dropout masks). */
  pass: Rng;
  /** Data augmentation of training batches (shifts, rotations). */
  augment: Rng;
}

/**
 * The streams of a run forked from `seed` in one fixed order (split, init, batch, pass, augment:
 * a stream added later goes last, so the earlier ones stay as they were), so that `dlfs train`,
 * the demos and a script given the same seed split, initialise and sample alike.
 */
export function seedStreams(seed: number): SeedStreams {
  const root = new Rng(seed);
  const split = root.fork();
  const init = root.fork();
  const batch = root.fork();
  const pass = root.fork();
  const augment = root.fork();
  return { split, init, batch, pass, augment };
}

export interface TrainOptions {
  /** An Optimizer, or the name of a built-in one ("sgd", "adam"), made with its default config. */
  optimizer: Optimizer | string;
  /** Rows per mini-batch (the book: 100). */
  batchSize: number;
  /** Total iterations (the book: 10,000), or... */
  iterations?: number;
  /** ...whole passes over the training rows; not both. */
  epochs?: number;
  /** 'replacement': each batch drawn at random with replacement, like the book; 'epoch': shuffled passes. */
  sampling?: Sampling;
  /** Draws the mini-batches. */
  rng: Rng;
  /** λ of weight decay (6.4.1): sets network.weightDecay for the run; the network's own value when not given. */
  weightDecay?: number;
  /**
   * Changes each training batch in place before it is trained on (data augmentation, such as
   * @dlfs/data's ImageAugmenter with its own seeded Rng). Never applied to evaluation.
   */
  augment?(x: Tensor): void;
  /**
   * The random stream of the training passes (dropout masks); see ForwardContext.rng. Without
   * it, layers draw from the Rng they were created with.
   */
  passRng?: Rng;
  /** After every iteration. */
  onIteration?(progress: IterationProgress): void;
  /** After every epoch, with the epoch's metrics. */
  onEpoch?(metrics: EpochMetrics): void;
  /** When the training doctor sees trouble. */
  onWarning?(warning: DoctorWarning): void;
  /** Polled after every iteration by run(): return true to stop early (the model keeps its current weights). */
  shouldStop?(): boolean;
}

export interface IterationProgress {
  iteration: number;
  iterations: number;
  epoch: number;
  loss: number;
}

export interface EpochMetrics {
  epoch: number;
  /** Iterations done when the epoch ended. */
  iteration: number;
  /** Mean mini-batch loss over the epoch. */
  loss: number;
  /** Accuracy on the epoch's mini-batches, measured as they were trained on. */
  trainAccuracy: number;
  /** Accuracy on the validation rows (null without a validation split). */
  valAccuracy: number | null;
}

export type StopReason = 'non-finite-loss' | 'requested';

export interface TrainResult {
  iterations: number;
  epochs: number;
  history: EpochMetrics[];
  warnings: DoctorWarning[];
  /** Why training ended before its planned iterations, if it did. */
  stopped: StopReason | null;
  /** Accuracy over every training row with the final weights. */
  trainAccuracy: number;
  valAccuracy: number | null;
  /** Fraction of dead units (of layers that declare deadUnits) on up to 1,000 training rows at the end. */
  deadReluFraction: number;
  seconds: number;
}

/** What one step did. */
export interface StepResult {
  /** The iteration just trained (1-based), or the last good one when the loss blew up. */
  iteration: number;
  epoch: number;
  loss: number;
  /** The metrics of the epoch this step ended, if it ended one. */
  epochEnded: EpochMetrics | undefined;
  /** Set when this step stopped the run (a non-finite loss). */
  stopped: StopReason | null;
}

/**
 * The book's Trainer (common/trainer.py): a run set up once (plan, sampler, doctor), then driven
 * one `step()` at a time (train_step: draw a mini-batch, backprop, update; at an epoch's end,
 * evaluate) by whoever owns the loop: the CLI through run(), the demos' worker between messages,
 * the benchmark in its timed rounds. Watched by the training doctor: chance-level accuracy after
 * the first epoch is reported, a NaN or infinite loss stops training with the last good epoch's
 * weights and state restored, and many dead units are reported.
 */
export class Trainer {
  readonly network: Network;
  readonly plan: RunPlan;
  readonly history: EpochMetrics[] = [];
  readonly warnings: DoctorWarning[] = [];
  private readonly data: LabelledData;
  private readonly val: LabelledData | undefined;
  private readonly opts: TrainOptions;
  private readonly optimizer: Optimizer;
  private readonly sampler: BatchSampler;
  private readonly pass: ForwardContext;
  private readonly chance: number;
  private readonly classes: number;
  private readonly probe: Tensor;
  /** Params and state, and a copy of each as of the last good epoch. */
  private readonly kept: readonly Tensor[];
  private readonly lastGood: readonly Tensor[];
  private readonly started = performance.now();
  private goodEpoch = 0;
  private looked = false;
  private deadWarned = false;
  private done = 0;
  private epochsDone = 0;
  private epochLoss = 0;
  private epochHits = 0;
  private epochRows = 0;
  private epochIters = 0;
  private stop: StopReason | null = null;

  constructor(network: Network, data: LabelledData, val: LabelledData | undefined, opts: TrainOptions) {
    const rows = data.x.shape[0]!;
    if (rows === 0) throw new Error('train: there are no training rows');
    if (data.labels.length !== rows) throw new Error(`train: ${rows} rows but ${data.labels.length} labels`);
    const optimizer = typeof opts.optimizer === 'string' ? optimizerNamed(opts.optimizer) : opts.optimizer;
    if (typeof optimizer?.update !== 'function') {
      throw new TypeError(
        'train: optimizer must be an Optimizer with update(params, grads), or the name of one (builtinOptimizers().types()), ' +
          `got ${JSON.stringify(opts.optimizer)}`,
      );
    }
    if (!(opts.rng instanceof Rng)) throw new TypeError('train: rng must be an Rng, the source of the mini-batches (new Rng(seed))');
    if (opts.weightDecay !== undefined) {
      if (!(Number.isFinite(opts.weightDecay) && opts.weightDecay >= 0)) {
        throw new TypeError(`train: weightDecay must be a number >= 0 (λ; the book uses 0.1), got ${String(opts.weightDecay)}`);
      }
      network.weightDecay = opts.weightDecay;
    }
    this.network = network;
    this.data = data;
    this.val = val && val.labels.length > 0 ? val : undefined;
    this.opts = opts;
    this.optimizer = optimizer;
    this.plan = planRun({ rows, batchSize: opts.batchSize, sampling: opts.sampling, iterations: opts.iterations, epochs: opts.epochs });
    this.sampler = new BatchSampler(data.x, data.labels, { batchSize: this.plan.batchSize, mode: this.plan.sampling, rng: opts.rng });
    this.pass = opts.passRng === undefined ? { train: true } : { train: true, rng: opts.passRng };
    this.classes = network.outputShape.reduce((a, b) => a * b, 1);
    this.chance = chanceAccuracy(this.val ? this.val.labels : data.labels, this.classes);
    // Dead units are looked for on the first (up to) 1,000 training rows, after epoch 1 and at the end.
    this.probe = rowsOf(data.x, 0, Math.min(rows, 1000));
    this.kept = [...Object.values(network.params), ...Object.values(network.state)];
    this.lastGood = this.kept.map((t) => zerosLike(t));
    this.snapshot();
  }

  /** Iterations trained so far. */
  get iteration(): number {
    return this.done;
  }

  /** Epochs finished so far. */
  get epoch(): number {
    return this.epochsDone;
  }

  /** Why the run stopped early, if it did. */
  get stopped(): StopReason | null {
    return this.stop;
  }

  /** Whether the run is over: every planned iteration trained, or stopped. */
  get finished(): boolean {
    return this.stop !== null || this.done >= this.plan.iterations;
  }

  private warn(w: DoctorWarning | undefined): boolean {
    if (!w) return false;
    this.warnings.push(w);
    this.opts.onWarning?.(w);
    return true;
  }

  /** Copies params and state as the last good epoch's, unless any is not finite. */
  private snapshot(): boolean {
    if (!this.kept.every((t) => allFinite(t.data))) return false;
    this.kept.forEach((t, i) => this.lastGood[i]!.data.set(t.data));
    return true;
  }

  /** One iteration (the book's train_step); at an epoch's end, the epoch's evaluation and the doctor's look. */
  step(): StepResult {
    if (this.finished) throw new Error(`Trainer.step: the run is over (${this.stop ?? `all ${this.plan.iterations} iterations trained`})`);
    const { network, plan } = this;
    const i = this.done + 1;
    const batch = this.sampler.next();
    const labels = batch.labels!;
    this.opts.augment?.(batch.x);
    const loss = network.gradient(batch.x, labels, this.pass);
    if (!Number.isFinite(loss)) {
      this.kept.forEach((t, k) => t.data.set(this.lastGood[k]!.data));
      this.warn(nonFiniteLoss(i, loss, this.goodEpoch));
      this.stop = 'non-finite-loss';
      return { iteration: this.done, epoch: this.epochsDone, loss, epochEnded: undefined, stopped: this.stop };
    }
    this.optimizer.update(network.params, network.grads);
    this.done = i;
    this.epochLoss += loss;
    this.epochIters++;
    this.epochHits += hits(network.lastScores!, labels);
    this.epochRows += labels.length;
    const epoch = this.epochsDone + 1;
    this.opts.onIteration?.({ iteration: i, iterations: plan.iterations, epoch, loss });
    let epochEnded: EpochMetrics | undefined;
    if (i % plan.itersPerEpoch === 0 || i === plan.iterations) epochEnded = this.endEpoch(i);
    return { iteration: i, epoch, loss, epochEnded, stopped: null };
  }

  private endEpoch(i: number): EpochMetrics {
    const { network, val } = this;
    this.epochsDone++;
    const metrics: EpochMetrics = {
      epoch: this.epochsDone,
      iteration: i,
      loss: this.epochLoss / this.epochIters,
      trainAccuracy: this.epochHits / this.epochRows,
      valAccuracy: val ? network.accuracy(val.x, val.labels) : null,
    };
    this.history.push(metrics);
    this.opts.onEpoch?.(metrics);
    // The first look comes after the first epoch, or after the first epoch to end at or past
    // DOCTOR_ITERATIONS when epochs are short: a dozen updates say nothing about learning.
    if (!this.looked && (i >= DOCTOR_ITERATIONS || i === this.plan.iterations)) {
      this.looked = true;
      this.warn(checkChanceAccuracy(metrics.valAccuracy ?? metrics.trainAccuracy, this.chance, this.classes, this.epochsDone));
      this.deadWarned = this.warn(checkDeadRelu(deadReluFraction(network, this.probe)));
    }
    if (this.snapshot()) this.goodEpoch = this.epochsDone;
    this.epochLoss = 0;
    this.epochHits = 0;
    this.epochRows = 0;
    this.epochIters = 0;
    return metrics;
  }

  /** Steps until the run is over or `shouldStop` says so, then returns the result. */
  run(): TrainResult {
    while (!this.finished) {
      const { stopped } = this.step();
      if (stopped === null && this.opts.shouldStop?.()) this.stop = 'requested';
    }
    return this.result();
  }

  /** Stops the run where it is (as shouldStop does): the model keeps its current weights. */
  requestStop(): void {
    if (!this.finished) this.stop = 'requested';
  }

  /** The run's outcome with the weights as they are now: final accuracies and dead units (evaluated here). */
  result(): TrainResult {
    const { network, data, val } = this;
    const dead = deadReluFraction(network, this.probe);
    if (!this.deadWarned) this.deadWarned = this.warn(checkDeadRelu(dead));
    return {
      iterations: this.done,
      epochs: this.epochsDone,
      history: [...this.history],
      warnings: [...this.warnings],
      stopped: this.stop,
      trainAccuracy: network.accuracy(data.x, data.labels),
      valAccuracy: val ? network.accuracy(val.x, val.labels) : null,
      deadReluFraction: dead,
      seconds: (performance.now() - this.started) / 1000,
    };
  }
}

/**
 * The book's training loop (4.5, 5.7.4) in one call: a Trainer stepped to the end. See Trainer.
 */
export function train(network: Network, data: LabelledData, val: LabelledData | undefined, opts: TrainOptions): TrainResult {
  return new Trainer(network, data, val, opts).run();
}

/** Whether every value is finite: a plain loop, 7× faster than `every(Number.isFinite)`. */
function allFinite(data: ArrayLike<number>): boolean {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return false;
  return true;
}

/** A built-in optimizer by name, with its default config; an unknown name is a TypeError listing the known ones. */
function optimizerNamed(name: string): Optimizer {
  const registry = builtinOptimizers();
  if (!registry.has(name)) throw new TypeError(`train: optimizer ${JSON.stringify(name)} is not a built-in optimizer; known: ${registry.types().join(', ')}`);
  return registry.create(name);
}

/** How many rows' largest score (the first, on ties) is at their label; allocates nothing. */
function hits(scores: Tensor, labels: Int32Array): number {
  const rows = labels.length;
  const width = scores.size / rows;
  const S = scores.data;
  let n = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * width;
    let best = 0;
    let top = S[base]!;
    for (let j = 1; j < width; j++) {
      const v = S[base + j]!;
      if (v > top) {
        top = v;
        best = j;
      }
    }
    if (best === labels[r]) n++;
  }
  return n;
}
