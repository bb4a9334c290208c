import { builtinOptimizers } from '@dlfs/optimizers';
import { NETWORK_CHOICES, type NetworkChoice } from '../ch7/simple-convnet.js';

/** What the person chooses before training; the rest is the book's chapter-5 setup. */
export interface TrainingSettings {
  /** Chapter 5's two-layer net (784-hidden-10) or chapter 7's SimpleConvNet (`hidden` unused). */
  network: NetworkChoice;
  hidden: number;
  optimizer: string;
  lr: number;
  batchSize: number;
  seed: number;
  iterations: number;
}

/** The chapter-5 network with a run short enough to watch: 784-50-10, SGD lr 0.1, batch 100. */
export const DEFAULT_SETTINGS: Readonly<TrainingSettings> = Object.freeze({
  network: 'two-layer',
  hidden: 50,
  optimizer: 'sgd',
  lr: 0.1,
  batchSize: 100,
  seed: 0,
  iterations: 2000,
});

/**
 * SimpleConvNet's run as `dlfs train --spec simple-convnet --optimizer adam --lr 0.001`: Adam at
 * the book's 0.001, and 1,000 iterations (about 11 epochs of the sample; above 95% within a few hundred).
 */
export const CONVNET_SETTINGS: Readonly<Pick<TrainingSettings, 'optimizer' | 'lr' | 'iterations'>> = Object.freeze({
  optimizer: 'adam',
  lr: 0.001,
  iterations: 1000,
});

/** Held out for validation, as `dlfs train --val 0.1`. */
export const VAL_FRACTION = 0.1;

/**
 * A learning rate to start from for each optimizer: SGD's is chapter 5's 0.1, the others keep
 * the book's defaults from @dlfs/optimizers (Adam 0.001, ...).
 */
export function defaultLearningRate(optimizer: string): number {
  if (optimizer === 'sgd') return DEFAULT_SETTINGS.lr;
  const created = builtinOptimizers().create(optimizer) as { lr?: unknown };
  return typeof created.lr === 'number' ? created.lr : DEFAULT_SETTINGS.lr;
}

const LIMITS = { hidden: [1, 1000], batchSize: [1, 9000], iterations: [1, 100_000] } as const;

/** Checks settings from the form; the message names the field and the range it takes. */
export function checkSettings(s: TrainingSettings): string | undefined {
  if (!NETWORK_CHOICES.includes(s.network)) return `Network must be one of ${NETWORK_CHOICES.join(', ')}`;
  for (const [key, [lo, hi]] of Object.entries(LIMITS)) {
    const v = s[key as keyof typeof LIMITS];
    if (!Number.isInteger(v) || v < lo || v > hi)
      return `${LABELS[key as keyof typeof LIMITS]} must be a whole number from ${lo} to ${hi.toLocaleString('en')}`;
  }
  if (!(Number.isFinite(s.lr) && s.lr > 0 && s.lr <= 10)) return 'Learning rate must be a number above 0 and at most 10';
  if (!(Number.isSafeInteger(s.seed) && s.seed >= 0)) return 'Seed must be a whole number ≥ 0';
  if (!builtinOptimizers().has(s.optimizer)) return `Optimizer must be one of ${builtinOptimizers().types().join(', ')}`;
  return undefined;
}

const LABELS: Record<keyof typeof LIMITS, string> = { hidden: 'Hidden units', batchSize: 'Batch size', iterations: 'Iterations' };
