import { createScaler, gatherLabels, gatherRows, type Scaler, trainValSplit } from '@dlfs/data';
import { builtinLayers } from '@dlfs/layers';
import { defaultSpec, type DoctorWarning, type EpochMetrics, type IterationProgress, type LabelledData, Network, train } from '@dlfs/model';
import { builtinOptimizers, type Optimizer } from '@dlfs/optimizers';
import { Rng, Tensor } from '@dlfs/tensor';
import { decodeMnistAsset, type MnistAsset } from './mnist-asset.js';
import { type ClientMessage, CONTROL, type Misclassified, type WorkerMessage } from './protocol.js';
import { checkSettings, type TrainingSettings, VAL_FRACTION } from './training-settings.js';

/** What the session needs from the place it runs in: a worker, or a test. */
export interface SessionHost {
  post(message: WorkerMessage, transfer?: Transferable[]): void;
  fetchDataset(url: string): Promise<ArrayBuffer>;
  /** Lets queued messages (Pause) in between two pieces of training. */
  yieldToEvents(): Promise<void>;
  now(): number;
}

/** Most misclassified digits sent per epoch. */
const MISCLASSIFIED_SHOWN = 24;
/** Progress and weights are sent at most this often, in milliseconds. */
const PROGRESS_EVERY = 100;
const WEIGHTS_EVERY = 500;
const SPEED_WINDOW = 2000;

interface Run {
  readonly settings: TrainingSettings;
  readonly network: Network;
  readonly optimizer: Optimizer;
  readonly batchRng: Rng;
  readonly scaler: Scaler;
  readonly train: LabelledData;
  readonly val: LabelledData;
  /** The validation digits' raw bytes, to show the ones the network gets wrong. */
  readonly valPixels: Uint8Array;
  readonly pixelsPerRow: number;
  readonly itersPerEpoch: number;
  readonly control: Int32Array | undefined;
  readonly warned: Set<string>;
  readonly started: number;
  /** Iterations and epochs finished by earlier train() calls of this run. */
  done: number;
  epochs: number;
  /** The iteration and epoch being trained, across calls. */
  iteration: number;
  epoch: number;
  losses: number[];
  lastProgress: number;
  /** (time, iteration) pairs of the last seconds of progress, for the speed. */
  speed: number[];
  lastWeights: number;
}

/**
 * The training side of the demo, written against a host so that it runs in a Web Worker and
 * in a test alike. It trains the chapter-5 network with @dlfs/model's train() on the MNIST
 * asset, split and seeded exactly as `dlfs train --scale 255` does (so the same seed gives the
 * same weights), and reports progress, epochs, warnings and weight snapshots as messages.
 *
 * Pause: train() is synchronous, so a Pause message waits until train() returns. When the page
 * shares a control word (SharedArrayBuffer, cross-origin isolated pages), train()'s shouldStop
 * reads it every iteration and the whole run is one call; otherwise the run is trained one
 * epoch per call and a Pause lands between epochs.
 */
export class TrainingSession {
  private run: Run | undefined;
  private looping = false;
  private pauseRequested = false;
  private readonly datasets = new Map<string, MnistAsset>();

  constructor(private readonly host: SessionHost) {}

  async handle(message: ClientMessage): Promise<void> {
    try {
      if (message.type === 'start') await this.start(message);
      else if (message.type === 'pause') this.pauseRequested = true;
      else if (message.type === 'resume') {
        this.pauseRequested = false;
        const run = this.run;
        if (run !== undefined && !this.looping && run.done < run.settings.iterations) {
          run.speed = [];
          this.host.post({ type: 'resumed', iteration: run.done });
          await this.loop(run);
        }
      }
    } catch (err) {
      this.host.post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  }

  private async dataset(url: string): Promise<MnistAsset> {
    let asset = this.datasets.get(url);
    if (asset === undefined) {
      asset = decodeMnistAsset(await this.host.fetchDataset(url), url);
      this.datasets.set(url, asset);
    }
    return asset;
  }

  private async start(message: Extract<ClientMessage, { type: 'start' }>): Promise<void> {
    const settings = message.settings;
    this.pauseRequested = false;
    const problem = checkSettings(settings);
    if (problem !== undefined) throw new Error(problem);
    const asset = await this.dataset(message.datasetUrl);
    const { rows, pixelsPerRow } = asset;
    // The digits as 0..255 floats, as `dlfs train` reads the bundled sample.
    const x = new Tensor(Float32Array.from(asset.pixels), [rows, pixelsPerRow]);
    const classes = asset.labels.reduce((m, t) => Math.max(m, t), 0) + 1;

    // Separate streams for the split, the weights and the batches, forked from the seed in
    // the order `dlfs train` forks them.
    const seedRng = new Rng(settings.seed);
    const splitRng = seedRng.fork();
    const initRng = seedRng.fork();
    const batchRng = seedRng.fork();
    const split = trainValSplit(rows, VAL_FRACTION, splitRng);
    const trainX = gatherRows(x, split.train);
    const valX = gatherRows(x, split.val);
    // x / 255, fitted on the training split (a no-op fit for this scaler, kept for the pattern).
    const scaler = createScaler('255').fit(trainX);
    scaler.transform(trainX, trainX);
    scaler.transform(valX, valX);
    const valPixels = new Uint8Array(split.val.length * pixelsPerRow);
    split.val.forEach((r, k) => valPixels.set(asset.pixels.subarray(r * pixelsPerRow, (r + 1) * pixelsPerRow), k * pixelsPerRow));

    const network = Network.build(defaultSpec(classes, settings.hidden), {
      registry: builtinLayers(),
      inputShape: [pixelsPerRow],
      rng: initRng,
      dtype: 'float32',
      classes,
    });
    const optimizer = builtinOptimizers().create(settings.optimizer, { lr: settings.lr });
    const batchSize = Math.min(settings.batchSize, split.train.length);
    const now = this.host.now();
    const run: Run = {
      settings: { ...settings, batchSize },
      network,
      optimizer,
      batchRng,
      scaler,
      train: { x: trainX, labels: gatherLabels(asset.labels, split.train) },
      val: { x: valX, labels: gatherLabels(asset.labels, split.val) },
      valPixels,
      pixelsPerRow,
      // train()'s iter_per_epoch for sampling with replacement.
      itersPerEpoch: Math.max(Math.floor(split.train.length / batchSize), 1),
      control: message.control === undefined ? undefined : new Int32Array(message.control),
      warned: new Set(),
      started: now,
      done: 0,
      epochs: 0,
      iteration: 0,
      epoch: 1,
      losses: [],
      lastProgress: now,
      speed: [],
      lastWeights: now,
    };
    this.run = run;
    this.host.post({
      type: 'ready',
      trainRows: split.train.length,
      valRows: split.val.length,
      iterations: settings.iterations,
      itersPerEpoch: run.itersPerEpoch,
      spec: network.spec,
      isolated: run.control !== undefined,
    });
    this.postWeights(run);
    await this.loop(run);
  }

  private paused(run: Run): boolean {
    return this.pauseRequested || (run.control !== undefined && Atomics.load(run.control, 0) === CONTROL.pause);
  }

  private async loop(run: Run): Promise<void> {
    this.looping = true;
    try {
      const total = run.settings.iterations;
      while (run.done < total && run === this.run) {
        if (this.paused(run)) {
          this.flushProgress(run);
          this.postWeights(run);
          this.host.post({ type: 'paused', iteration: run.done });
          return;
        }
        const chunk = run.control !== undefined ? total - run.done : Math.min(run.itersPerEpoch, total - run.done);
        const result = train(run.network, run.train, run.val, {
          optimizer: run.optimizer,
          batchSize: run.settings.batchSize,
          iterations: chunk,
          sampling: 'replacement',
          rng: run.batchRng,
          onIteration: (p) => this.onIteration(run, p),
          onEpoch: (m) => this.onEpoch(run, m),
          onWarning: (w) => this.onWarning(run, w),
          shouldStop: () => this.paused(run),
        });
        run.done += result.iterations;
        run.epochs += result.epochs;
        run.iteration = run.done;
        this.flushProgress(run);
        if (result.stopped === 'non-finite-loss' || run.done >= total) {
          this.postWeights(run);
          this.host.post({
            type: 'done',
            iteration: run.done,
            epochs: run.epochs,
            trainAccuracy: result.trainAccuracy,
            valAccuracy: result.valAccuracy ?? 0,
            seconds: (this.host.now() - run.started) / 1000,
            stopped: result.stopped === 'requested' ? null : result.stopped,
          });
          return;
        }
        await this.host.yieldToEvents();
      }
    } finally {
      this.looping = false;
    }
  }

  private onIteration(run: Run, p: IterationProgress): void {
    run.iteration = run.done + p.iteration;
    run.epoch = run.epochs + p.epoch;
    run.losses.push(run.iteration, p.loss);
    const now = this.host.now();
    if (now - run.lastProgress >= PROGRESS_EVERY) this.flushProgress(run);
    if (now - run.lastWeights >= WEIGHTS_EVERY) this.postWeights(run);
  }

  private flushProgress(run: Run): void {
    const now = this.host.now();
    const iteration = run.iteration;
    // Speed over the last two seconds or so: long enough to average out epoch-end evaluations.
    run.speed.push(now, iteration);
    while (run.speed.length > 4 && run.speed[2]! <= now - SPEED_WINDOW) run.speed.splice(0, 2);
    const seconds = (now - run.speed[0]!) / 1000;
    const losses = Float64Array.from(run.losses);
    this.host.post(
      {
        type: 'progress',
        iteration,
        iterations: run.settings.iterations,
        epoch: run.epoch,
        losses,
        iterationsPerSecond: seconds > 0 ? (iteration - run.speed[1]!) / seconds : 0,
      },
      [losses.buffer],
    );
    run.losses = [];
    run.lastProgress = now;
  }

  private onEpoch(run: Run, m: EpochMetrics): void {
    this.flushProgress(run);
    const predicted = run.network.predictClasses(run.val.x);
    const labels = run.val.labels;
    const classes = run.network.outputShape[0]!;
    const hits = new Array<number>(classes).fill(0);
    const counts = new Array<number>(classes).fill(0);
    const misclassified: Misclassified[] = [];
    let wrong = 0;
    for (let r = 0; r < labels.length; r++) {
      const t = labels[r]!;
      counts[t]!++;
      if (predicted[r] === t) {
        hits[t]!++;
        continue;
      }
      wrong++;
      if (misclassified.length < MISCLASSIFIED_SHOWN) {
        const w = run.pixelsPerRow;
        misclassified.push({ row: r, label: t, predicted: predicted[r]!, pixels: run.valPixels.slice(r * w, (r + 1) * w) });
      }
    }
    this.host.post({
      type: 'epoch',
      epoch: run.epochs + m.epoch,
      iteration: run.done + m.iteration,
      loss: m.loss,
      trainAccuracy: m.trainAccuracy,
      valAccuracy: m.valAccuracy ?? 0,
      perClass: hits.map((h, c) => (counts[c]! > 0 ? h / counts[c]! : 0)),
      misclassified,
      wrong,
    });
    this.postWeights(run);
  }

  private onWarning(run: Run, w: DoctorWarning): void {
    // train() is called once per epoch without a control word: report each kind of trouble once.
    if (run.warned.has(w.code)) return;
    run.warned.add(w.code);
    this.host.post({ type: 'warning', code: w.code, message: w.message });
  }

  private postWeights(run: Run): void {
    run.lastWeights = this.host.now();
    const params: Record<string, Float32Array> = {};
    for (const [name, p] of Object.entries(run.network.params)) params[name] = Float32Array.from(p.data);
    this.host.post(
      { type: 'weights', iteration: run.iteration, spec: run.network.spec, scaler: run.scaler.toJSON(), params },
      Object.values(params).map((p) => p.buffer),
    );
  }
}
