import { basename } from 'node:path';
import { type AugmentOptions, createScaler, featureStats, ImageAugmenter, type ScalerType, splitRows, trainValSplit } from '@dlfs/data';
import type { LayerRegistry } from '@dlfs/layers';
import { checkInputScale, defaultSpec, Network, type NetworkSpec, seedStreams, serializeModel, Trainer, type TrainResult } from '@dlfs/model';
import { checkOutputFile, writeOutputFile } from '../output-paths.js';

import { builtinOptimizers } from '@dlfs/optimizers';
import { kernelStats, resetKernelStats, shapeSize, type Tensor } from '@dlfs/tensor';
import { InputError, UsageError } from '../errors.js';
import { loadRegistry } from '../plugins.js';
import { plotHistory, Progress } from '../report.js';
import { readSpecFile } from '../spec-file.js';
import { startCliThreads } from '../threads.js';
import { BUNDLED, loadTrainingRows } from '../training-data.js';

export interface TrainFlags {
  data?: string;
  label: string;
  spec?: string;
  hidden: number;
  init?: number | 'xavier' | 'he';
  optimizer: string;
  lr?: number;
  batch: number;
  epochs?: number;
  iters?: number;
  sampling: 'replacement' | 'epoch';
  val: number;
  scale: ScalerType;
  seed: number;
  out: string;
  metrics?: string;
  json: boolean;
  plugin: string[];
  weightDecay?: number;
  augment?: AugmentOptions;
  /** Kernel threads, the calling one counted (see startThreads). */
  threads: number;
}

/** The book's chapter-5 defaults (5.7.4): 784-50-10, SGD lr 0.1, batch 100, 10,000 iterations. */
export const TRAIN_DEFAULTS = {
  hidden: 50,
  optimizer: 'sgd',
  lr: 0.1,
  batch: 100,
  iters: 10_000,
  val: 0.1,
  scale: 'minmax',
  seed: 0,
  out: 'model.json',
} as const;

/**
 * Gives every layer whose def declares a weight-init field (affine, and any layer with weights
 * to initialise) the scale from --init, where the spec does not set that field itself.
 */
function withInit(spec: NetworkSpec, init: number | 'xavier' | 'he' | undefined, registry: LayerRegistry): NetworkSpec {
  if (init === undefined) return spec;
  return {
    ...spec,
    layers: spec.layers.map((l) => {
      const field = registry.has(l.type) ? registry.get(l.type).capabilities?.weightInit : undefined;
      return field !== undefined && !(field in l) ? { ...l, [field]: init } : l;
    }),
  };
}

export async function trainCommand(flags: TrainFlags): Promise<number> {
  if (flags.epochs !== undefined && flags.iters !== undefined) throw new UsageError('give --epochs or --iters, not both');
  // Every place a result goes is checked before any work: no run is lost to a path mistake.
  checkOutputFile('--out', flags.out);
  if (flags.metrics !== undefined) checkOutputFile('--metrics', flags.metrics);
  const progress = new Progress(process.stderr, flags.json);
  const registry = await loadRegistry(flags.plugin);
  // Threads split the big kernel calls; every result is the same bits with any count.
  const { threads, note: threadsNote } = await startCliThreads(flags.threads);
  const optimizerRegistry = builtinOptimizers();
  const lr = flags.lr ?? (flags.optimizer === TRAIN_DEFAULTS.optimizer ? TRAIN_DEFAULTS.lr : undefined);
  const optimizer = optimizerRegistry.create(flags.optimizer, lr === undefined ? {} : { lr });
  const specFromFile = flags.spec === undefined ? undefined : readSpecFile(flags.spec);

  progress.message(`loading ${flags.data ?? BUNDLED} ...`);
  const rows = await loadTrainingRows(flags.data, flags.label);
  const total = rows.x.shape[0]!;
  const features = rows.x.shape[1]!;
  const classes = rows.classes.length;
  if (classes < 2)
    throw new InputError(
      `${rows.source}: the label column "${rows.labelColumn}" has only one class (${String(rows.classes[0])}); a classifier needs at least two`,
    );

  // Separate streams for the split, the weights, the batches and the passes, all from --seed.
  const streams = seedStreams(flags.seed);
  const split = trainValSplit(total, flags.val, streams.split);
  if (split.train.length === 0) throw new UsageError(`--val ${flags.val} leaves no training rows out of ${total}`);
  // The rows are reordered in place into the two parts (no second copy of the data set): they
  // stay where they were loaded, in WASM memory, where the batches and the kernels read them.
  const { train: trainPart, val: valPart } = splitRows(rows.x, rows.labels, split);
  const { x: trainX, labels: trainLabels } = trainPart;
  const { x: valX, labels: valLabels } = valPart;

  // Scaling is fitted on the training split only, then applied to both.
  const scaler = createScaler(flags.scale);
  scaler.fit(trainX);
  scaler.transform(trainX, trainX);
  if (split.val.length > 0) scaler.transform(valX, valX);

  const spec = withInit(specFromFile ?? defaultSpec(classes, flags.hidden), flags.init, registry);
  const network = Network.build(spec, {
    registry,
    inputShape: [features],
    rng: streams.init,
    dtype: 'float32',
    classes,
    source: flags.spec ?? 'the default spec',
  });

  // "784-50-10": the inputs, then the outputs of every layer with weights (as each layer's def
  // declares), a conv layer's as its maps ("784-30×24×24-100-10").
  const weighted = network.layers.filter((_, i) => network.layerDefs[i]?.capabilities?.weightInit !== undefined);
  const sizes = [features, ...weighted.map((l) => (l.outputShape.length > 1 ? l.outputShape.join('×') : shapeSize(l.outputShape)))].join('-');
  progress.message(
    `training ${sizes} on ${split.train.length} rows ` +
      `(${split.val.length} for validation), ${classes} classes; ${optimizer.type}${lr === undefined ? '' : ` lr ${lr}`}, batch ${flags.batch}`,
  );
  const warnings: string[] = [];
  const report = (message: string): void => {
    warnings.push(message);
    progress.message(`warning: ${message}`);
    if (flags.json) process.stderr.write(`warning: ${message}\n`);
  };
  for (const w of rows.warnings) report(w);
  if (threadsNote !== undefined) report(threadsNote);
  const scaleWarning = checkInputScale(featureStats(trainX));
  if (scaleWarning) report(scaleWarning.message);

  const iters = flags.iters ?? (flags.epochs === undefined ? TRAIN_DEFAULTS.iters : undefined);
  // Augmentation moves the images of each training batch; it needs to know they are images.
  let augmenter: ImageAugmenter | undefined;
  if (flags.augment !== undefined) {
    if (network.inputShape.length !== 3) {
      throw new UsageError(
        `--augment shifts and rotates images, but the network takes samples of shape [${network.inputShape.join(', ')}]; ` +
          'give a spec with an inputShape such as [1, 28, 28] (--spec simple-convnet has one)',
      );
    }
    augmenter = new ImageAugmenter(flags.augment, network.inputShape);
  }
  let onSignal = false;
  const trainer = new Trainer(network, { x: trainX, labels: trainLabels }, split.val.length > 0 ? { x: valX, labels: valLabels } : undefined, {
    optimizer,
    batchSize: flags.batch,
    ...(iters !== undefined ? { iterations: iters } : { epochs: flags.epochs! }),
    sampling: flags.sampling,
    rng: streams.batch,
    passRng: streams.pass,
    ...(flags.weightDecay === undefined ? {} : { weightDecay: flags.weightDecay }),
    ...(augmenter === undefined ? {} : { augment: (x: Tensor) => augmenter.apply(x, streams.augment) }),
    onIteration: (p) => progress.iteration(p.iteration, p.iterations, p.epoch, p.loss),
    onEpoch: (m) => progress.epoch(m, trainer.plan.epochs),
    onWarning: (w) => report(w.message),
    shouldStop: () => onSignal,
  });
  const stop = (): void => {
    onSignal = true;
  };
  process.once('SIGINT', stop);
  let result: TrainResult;
  // The kernel counts reported with --json are the training run's own.
  resetKernelStats();
  try {
    result = trainer.run();
  } finally {
    process.removeListener('SIGINT', stop);
  }

  const summary = {
    data: flags.data === undefined ? 'bundled MNIST sample' : basename(flags.data),
    rows: { train: split.train.length, val: split.val.length },
    spec: flags.spec === undefined ? 'default' : basename(flags.spec),
    optimizer: { type: optimizer.type, ...(lr === undefined ? {} : { lr }) },
    ...(flags.weightDecay === undefined ? {} : { weightDecay: flags.weightDecay }),
    ...(flags.augment === undefined ? {} : { augment: flags.augment }),
    batchSize: flags.batch,
    sampling: flags.sampling,
    scale: flags.scale,
    seed: flags.seed,
    iterations: result.iterations,
    epochs: result.epochs,
    stopped: result.stopped,
    trainAccuracy: result.trainAccuracy,
    valAccuracy: result.valAccuracy,
    history: result.history,
  };
  // A run whose loss blew up before one good epoch has nothing worth saving: an existing file stays.
  const saved = !(result.stopped === 'non-finite-loss' && result.history.length === 0);
  if (saved) {
    const model = serializeModel({
      network,
      classes: rows.classes,
      preprocessing: { scaler: scaler.toJSON(), label: rows.labelColumn, featureNames: rows.featureNames },
      training: summary,
    });
    writeOutputFile('--out', flags.out, model);
  }
  const msPerIteration = result.iterations > 0 ? (result.seconds * 1000) / result.iterations : 0;
  if (flags.metrics !== undefined) {
    writeOutputFile(
      '--metrics',
      flags.metrics,
      `${JSON.stringify({ ...summary, trainingSeconds: result.seconds, msPerIteration, threads, warnings }, null, 2)}\n`,
    );
  }
  if (flags.json) {
    const json = {
      iterations: result.iterations,
      epochs: result.epochs,
      trainingSeconds: round(result.seconds, 3),
      msPerIteration: round(msPerIteration, 4),
      threads,
      trainAccuracy: result.trainAccuracy,
      valAccuracy: result.valAccuracy,
      finalLoss: result.history.at(-1)?.loss ?? null,
      deadReluFraction: result.deadReluFraction,
      stopped: result.stopped,
      model: saved ? flags.out : null,
      metrics: flags.metrics ?? null,
      warnings,
      kernels: kernelSummary(),
    };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    const out = process.stdout;
    out.write(`\n${plotHistory(result.history, Boolean(out.isTTY))}\n`);
    out.write(
      `iterations      ${result.iterations} (${result.epochs} epochs, ${result.seconds.toFixed(1)} s, ${msPerIteration.toFixed(2)} ms/iteration, ` +
        `${threads} thread${threads === 1 ? '' : 's'})\n`,
    );
    out.write(`train accuracy  ${result.trainAccuracy.toFixed(4)}\n`);
    if (result.valAccuracy !== null) out.write(`val accuracy    ${result.valAccuracy.toFixed(4)}\n`);
    if (result.stopped === 'requested') out.write('stopped early (interrupted); the model holds the weights at that point\n');
    out.write(
      saved
        ? `model saved to  ${flags.out}\n`
        : `no model saved: the loss was not finite before the first epoch ended${flags.out ? `; ${flags.out} was left as it was` : ''}\n`,
    );
    if (flags.metrics !== undefined) out.write(`metrics saved to ${flags.metrics}\n`);
  }
  return result.stopped === 'non-finite-loss' ? 1 : 0;
}

/** Where the training run's float32 kernels ran: the backend, and every fallback to TypeScript with its reason. */
function kernelSummary(): { backend: string; fallbacks: Record<string, Record<string, number>> } {
  const stats = kernelStats();
  const fallbacks: Record<string, Record<string, number>> = {};
  for (const [name, k] of Object.entries(stats.kernels)) if (Object.keys(k.fallbacks).length > 0) fallbacks[name] = { ...k.fallbacks };
  return { backend: stats.backend, fallbacks };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
