import { builtinLayers, type LayerRegistry } from '@dlfs/layers';
import { Rng, randn } from '@dlfs/tensor';
import { tanh } from './tanh-layer.js';

/** The initial weights of figures 6-10 to 6-14: a fixed std, or Xavier's √(1/n) and He's √(2/n) as @dlfs/layers' affine computes them. */
export const INITS = [
  { key: 'std1', label: 'std 1', weightInitStd: 1 },
  { key: 'std001', label: 'std 0.01', weightInitStd: 0.01 },
  { key: 'xavier', label: 'Xavier', weightInitStd: 'xavier' },
  { key: 'he', label: 'He', weightInitStd: 'he' },
] as const;
export type InitKey = (typeof INITS)[number]['key'];

export const ACTIVATIONS = [
  { key: 'sigmoid', label: 'Sigmoid', range: [0, 1], skipZeros: false },
  { key: 'tanh', label: 'tanh', range: [-1, 1], skipZeros: false },
  // ReLU's exact zeros (about half) are counted apart, or the first bar would dwarf the rest.
  { key: 'relu', label: 'ReLU', range: [0, 1], skipZeros: true },
] as const;
export type ActivationKey = (typeof ACTIVATIONS)[number]['key'];

export interface HistogramSettings {
  init: InitKey;
  activation: ActivationKey;
  /** The book: 5 hidden layers of 100 units, 1000 inputs from N(0, 1). */
  layers?: number;
  units?: number;
  samples?: number;
  seed?: number;
  bins?: number;
}

export interface LayerActivations {
  /** Counts per bin over the activation's range (the book's plt.hist(a.flatten(), 30, range)). */
  counts: Int32Array;
  /** The histogram's range. */
  range: readonly [number, number];
  /** Values below and above the range, left out of the bins. */
  below: number;
  above: number;
  /** Values exactly 0 (ReLU's dead outputs; left out of the bins with `skipZeros`). */
  zeros: number;
  mean: number;
  /** Standard deviation of all the layer's activations: the spread the figures show. */
  std: number;
  size: number;
}

/** The page's layer registry: @dlfs/layers' built-ins and this page's tanh. */
export function histogramRegistry(): LayerRegistry {
  return builtinLayers().register(tanh);
}

/**
 * Section 6.2.2's experiment (weight_init_activation_histogram.py): 1000 inputs from N(0, 1)
 * through `layers` affine layers of `units` units (biases 0, weights as `init` says) each
 * followed by the activation, all of them @dlfs/layers' own layers (tanh: this page's layer
 * def), and a histogram of each layer's outputs.
 */
export function activationHistograms(s: HistogramSettings): LayerActivations[] {
  const { layers = 5, units = 100, samples = 1000, seed = 0, bins = 30 } = s;
  const init = INITS.find((i) => i.key === s.init);
  const act = ACTIVATIONS.find((a) => a.key === s.activation);
  if (init === undefined || act === undefined) throw new Error(`unknown init ${s.init} or activation ${s.activation}`);
  const registry = histogramRegistry();
  const rng = new Rng(seed);
  let x = randn([samples, units], rng, { dtype: 'float32' });
  const out: LayerActivations[] = [];
  const pass = { train: false };
  for (let k = 0; k < layers; k++) {
    const affine = registry.create({ type: 'affine', units, weightInitStd: init.weightInitStd }, { rng, inputShape: [units], dtype: 'float32' });
    const activation = registry.create({ type: act.key }, { rng, inputShape: affine.outputShape, dtype: 'float32' });
    x = activation.forward(affine.forward(x, pass), pass);
    out.push(histogram(x.data, act.range, bins, act.skipZeros));
  }
  return out;
}

/** Bins `values` over `range`; `skipZeros` leaves exact zeros out of the bins (they are still counted in `zeros`). */
export function histogram(values: ArrayLike<number>, range: readonly [number, number], bins: number, skipZeros = false): LayerActivations {
  const [lo, hi] = range;
  const counts = new Int32Array(bins);
  let below = 0;
  let above = 0;
  let zeros = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  const mean = values.length > 0 ? sum / values.length : 0;
  let sq = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    sq += (v - mean) ** 2;
    if (v === 0) {
      zeros++;
      if (skipZeros) continue;
    }
    if (v < lo) below++;
    else if (v > hi) above++;
    else counts[Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins))]!++;
  }
  return { counts, range, below, above, zeros, mean, std: values.length > 0 ? Math.sqrt(sq / values.length) : 0, size: values.length };
}
