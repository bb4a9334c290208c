import type { Optimizer } from '@dlfs/optimizers';
import { type Rng, type Tensor, zerosLike } from '@dlfs/tensor';
import { BatchSampler } from '@dlfs/data';
import {
  chanceAccuracy,
  checkChanceAccuracy,
  checkDeadRelu,
  deadReluFraction,
  type DoctorWarning,
  nonFiniteLoss,
} from './doctor.js';
import { type Network, rowsOf } from './network.js';

/** The doctor's first look waits for the first epoch that ends at or after this many iterations. */
export const DOCTOR_ITERATIONS = 50;

export interface LabelledData {
  /** [rows, ...inputShape], already scaled. */
  x: Tensor;
  /** Class index of every row. */
  labels: Int32Array;
}

export interface TrainOptions {
  optimizer: Optimizer;
  /** Rows per mini-batch (the book: 100). */
  batchSize: number;
  /** Total iterations (the book: 10,000), or... */
  iterations?: number;
  /** ...whole passes over the training rows. */
  epochs?: number;
  /** 'replacement': each batch drawn at random with replacement, like the book; 'epoch': shuffled passes. */
  sampling?: 'replacement' | 'epoch';
  rng: Rng;
  /** After every iteration. */
  onIteration?(progress: IterationProgress): void;
  /** After every epoch, with the epoch's metrics. */
  onEpoch?(metrics: EpochMetrics): void;
  /** When the training doctor sees trouble. */
  onWarning?(warning: DoctorWarning): void;
  /** Polled every iteration: return true to stop early (the model keeps its current weights). */
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

export interface TrainResult {
  iterations: number;
  epochs: number;
  history: EpochMetrics[];
  warnings: DoctorWarning[];
  /** Why training ended before its planned iterations, if it did. */
  stopped: 'non-finite-loss' | 'requested' | null;
  /** Accuracy over every training row with the final weights. */
  trainAccuracy: number;
  valAccuracy: number | null;
  /** Fraction of ReLU units dead on (up to 1,000) training rows at the end. */
  deadReluFraction: number;
  seconds: number;
}

/**
 * The book's training loop (4.5, 5.7.4): draw a mini-batch, compute the gradient by backprop,
 * let the optimizer update the parameters; evaluate once per epoch. Watched by the training
 * doctor: chance-level accuracy after the first epoch is reported, a NaN or infinite loss
 * stops training with the last good epoch's weights restored, and many dead ReLUs are reported.
 */
export function train(network: Network, data: LabelledData, val: LabelledData | undefined, opts: TrainOptions): TrainResult {
  const started = performance.now();
  const rows = data.x.shape[0]!;
  if (rows === 0) throw new Error('train: there are no training rows');
  if (data.labels.length !== rows) throw new Error(`train: ${rows} rows but ${data.labels.length} labels`);
  const batchSize = Math.min(opts.batchSize, rows);
  const mode = opts.sampling ?? 'replacement';
  const sampler = new BatchSampler(data.x, data.labels, { batchSize, mode, rng: opts.rng });
  // The book's iter_per_epoch = max(train_size / batch_size, 1); shuffled passes end with a short batch.
  const itersPerEpoch = mode === 'epoch' ? sampler.batchesPerEpoch : Math.max(Math.floor(rows / batchSize), 1);
  const iterations = opts.iterations ?? (opts.epochs ?? 1) * itersPerEpoch;
  const classes = network.outputShape.reduce((a, b) => a * b, 1);
  const chance = chanceAccuracy(val && val.labels.length > 0 ? val.labels : data.labels, classes);

  const warnings: DoctorWarning[] = [];
  const warn = (w: DoctorWarning | undefined): boolean => {
    if (!w) return false;
    warnings.push(w);
    opts.onWarning?.(w);
    return true;
  };
  // Dead ReLUs are looked for on the first (up to) 1,000 training rows, after epoch 1 and at the end.
  const probe = rowsOf(data.x, 0, Math.min(rows, 1000));
  let deadWarned = false;
  let looked = false;
  const names = Object.keys(network.params);
  const lastGood = names.map((n) => zerosLike(network.params[n]!));
  const snapshot = (): boolean => {
    if (!names.every((n) => network.params[n]!.data.every(Number.isFinite))) return false;
    names.forEach((n, i) => lastGood[i]!.data.set(network.params[n]!.data));
    return true;
  };
  snapshot();
  let goodEpoch = 0;

  const history: EpochMetrics[] = [];
  let stopped: TrainResult['stopped'] = null;
  let epoch = 0;
  let epochLoss = 0;
  let epochHits = 0;
  let epochRows = 0;
  let epochIters = 0;
  let done = 0;
  for (let i = 1; i <= iterations; i++) {
    const batch = sampler.next();
    const labels = batch.labels!;
    const loss = network.gradient(batch.x, labels);
    if (!Number.isFinite(loss)) {
      names.forEach((n, k) => network.params[n]!.data.set(lastGood[k]!.data));
      warn(nonFiniteLoss(i, loss, goodEpoch));
      stopped = 'non-finite-loss';
      break;
    }
    opts.optimizer.update(network.params, network.grads);
    done = i;
    epochLoss += loss;
    epochIters++;
    epochHits += hits(network.lastScores!, labels);
    epochRows += labels.length;
    opts.onIteration?.({ iteration: i, iterations, epoch: epoch + 1, loss });
    if (i % itersPerEpoch === 0 || i === iterations) {
      epoch++;
      const metrics: EpochMetrics = {
        epoch,
        iteration: i,
        loss: epochLoss / epochIters,
        trainAccuracy: epochHits / epochRows,
        valAccuracy: val && val.labels.length > 0 ? network.accuracy(val.x, val.labels) : null,
      };
      history.push(metrics);
      opts.onEpoch?.(metrics);
      // The first look comes after the first epoch, or after the first epoch to end at or past
      // DOCTOR_ITERATIONS when epochs are short: a dozen updates say nothing about learning.
      if (!looked && (i >= DOCTOR_ITERATIONS || i === iterations)) {
        looked = true;
        warn(checkChanceAccuracy(metrics.valAccuracy ?? metrics.trainAccuracy, chance, classes, epoch));
        deadWarned = warn(checkDeadRelu(deadReluFraction(network, probe)));
      }
      if (snapshot()) goodEpoch = epoch;
      epochLoss = 0;
      epochHits = 0;
      epochRows = 0;
      epochIters = 0;
    }
    if (opts.shouldStop?.()) {
      stopped = 'requested';
      break;
    }
  }
  const dead = deadReluFraction(network, probe);
  if (!deadWarned) warn(checkDeadRelu(dead));
  return {
    iterations: done,
    epochs: epoch,
    history,
    warnings,
    stopped,
    trainAccuracy: network.accuracy(data.x, data.labels),
    valAccuracy: val && val.labels.length > 0 ? network.accuracy(val.x, val.labels) : null,
    deadReluFraction: dead,
    seconds: (performance.now() - started) / 1000,
  };
}

/** How many rows' largest score (the first, on ties) is at their label; allocates nothing. */
function hits(scores: Tensor, labels: Int32Array): number {
  const rows = labels.length;
  const width = scores.size / rows;
  const S = scores.data;
  let n = 0;
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let j = 1; j < width; j++) if (S[r * width + j]! > S[r * width + best]!) best = j;
    if (best === labels[r]) n++;
  }
  return n;
}
