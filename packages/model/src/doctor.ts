import { sliceRows, type Tensor } from '@dlfs/tensor';
import type { ForwardContext } from '@dlfs/core';
import type { Network } from './network.js';

/** Something about the data or the run that would make training fail or mislead. */
export interface DoctorWarning {
  code: 'unscaled-inputs' | 'chance-accuracy' | 'non-finite-loss' | 'dead-relu';
  message: string;
}

const EVAL: ForwardContext = Object.freeze({ train: false });

/** Inputs whose largest value is above this are "far above 1" for a net initialised for [0, 1]. */
const SCALED_MAX = 2;

/**
 * Before training: a network with weight std 0.01 and a learning rate near 0.1 assumes inputs
 * of order 1. Raw pixels (0..255) make the first layer's outputs ~100× too large and the
 * updates ~100× too big: the seed notebook's 11% accuracy.
 */
export function checkInputScale(stats: { min: number; max: number; mean: number }): DoctorWarning | undefined {
  if (!(stats.max > SCALED_MAX || stats.min < -SCALED_MAX)) return undefined;
  return {
    code: 'unscaled-inputs',
    message:
      `inputs are not scaled: they range from ${fmt(stats.min)} to ${fmt(stats.max)} (mean ${fmt(stats.mean)}), ` +
      'but the network is initialised and tuned for values in [0, 1]. Training on them is likely to stall at chance accuracy. ' +
      'Use --scale 255 for 0..255 pixels, or --scale minmax for any numeric features.',
  };
}

/** The accuracy of always guessing the most frequent class: the real floor a model must beat. */
export function chanceAccuracy(labels: Int32Array, classes: number): number {
  if (labels.length === 0) return 1 / classes;
  const counts = new Int32Array(classes);
  for (const t of labels) counts[t]!++;
  return Math.max(...counts) / labels.length;
}

/**
 * After the first epoch: a network that learns is far above chance by then (the chapter-5 net
 * reaches ~70% on MNIST). Accuracy within a quarter of the way from chance to perfect means the
 * run is stuck or crawling; the seed notebook's raw pixels sat at 11–30% here.
 */
export function nearChance(accuracy: number, chance: number): boolean {
  return accuracy < chance + 0.25 * (1 - chance);
}

export function checkChanceAccuracy(accuracy: number, chance: number, classes: number, epoch: number): DoctorWarning | undefined {
  if (!nearChance(accuracy, chance)) return undefined;
  return {
    code: 'chance-accuracy',
    message:
      `accuracy after epoch ${epoch} is ${pct(accuracy)}, still near chance (always guessing the most common class scores ${pct(chance)}; ${classes} ` +
      `classes). ` +
      'Likely causes: unscaled inputs (use --scale 255 or --scale minmax), a learning rate far too high (the loss jumps or grows) ' +
      'or too low (the loss barely moves), labels that do not belong to their rows, or a hidden layer whose ReLUs have all died.',
  };
}

export function nonFiniteLoss(iteration: number, loss: number, restoredEpoch: number): DoctorWarning {
  return {
    code: 'non-finite-loss',
    message:
      `the loss became ${loss} at iteration ${iteration}; training stopped and the model keeps the weights of the last good epoch (${restoredEpoch}). ` +
      'Lower the learning rate (--lr) or scale the inputs (--scale 255 or --scale minmax).',
  };
}

/**
 * The fraction of units that output 0 for every row of `x`, over the layers whose def declares
 * `deadUnits` (ReLU): dead units pass no gradient and never recover. Computed layer by layer
 * with forward passes in evaluation mode, evalChunk rows at a time (the memory of an evaluation).
 */
export function deadReluFraction(network: Network, x: Tensor, chunk = network.evalChunk): number {
  const rows = x.shape[0]!;
  // alive[i][j]: unit j of layer i was above 0 for some row seen so far.
  const alive: (Uint8Array | undefined)[] = [];
  for (let start = 0; start < rows; start += chunk) {
    const n = Math.min(rows, start + chunk) - start;
    let h = sliceRows(x, start, start + n).reshape([n, ...network.inputShape]);
    network.layers.forEach((layer, i) => {
      h = layer.forward(h, EVAL);
      if (network.layerDefs[i]?.capabilities?.deadUnits !== true) return;
      const width = h.size / n;
      let seen = alive[i];
      if (seen === undefined) {
        seen = new Uint8Array(width);
        alive[i] = seen;
      }
      const data = h.data;
      for (let r = 0; r < n; r++) {
        const base = r * width;
        for (let j = 0; j < width; j++) if (data[base + j]! > 0) seen[j] = 1;
      }
    });
  }
  let dead = 0;
  let units = 0;
  for (const seen of alive) {
    if (seen === undefined) continue;
    units += seen.length;
    for (let j = 0; j < seen.length; j++) if (seen[j] === 0) dead++;
  }
  return units === 0 ? 0 : dead / units;
}

/** Above this fraction of dead ReLUs the run is reported. */
export const DEAD_RELU_ALERT = 0.5;

export function checkDeadRelu(fraction: number): DoctorWarning | undefined {
  if (fraction <= DEAD_RELU_ALERT) return undefined;
  return {
    code: 'dead-relu',
    message:
      `${pct(fraction)} of the ReLU units output 0 for every sample checked: they pass no gradient and will not recover. ` +
      'Lower the learning rate, scale the inputs, or initialise with --init he.',
  };
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(3);
}

function pct(v: number): string {
  return `${(v * 100).toFixed(1)}%`;
}
