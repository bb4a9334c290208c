import { createScaler, gatherLabels, gatherRows, type Scaler, trainValSplit } from '@dlfs/data';
import { builtinLayers } from '@dlfs/layers';
import { defaultSpec, type EpochMetrics, type IterationProgress, type LabelledData, Network, seedStreams, Trainer } from '@dlfs/model';
import { builtinOptimizers } from '@dlfs/optimizers';
import { backendInfo, Tensor, zeros } from '@dlfs/tensor';
import { SIMPLE_CONVNET } from '../ch7/simple-convnet.js';
import { type KernelInfo, kernelInfo } from './kernel-threads.js';
import { MnistAssets } from './mnist-asset.js';
import { type ClientMessage, CONTROL, type Misclassified, type WorkerMessage } from './protocol.js';
import { checkSettings, type TrainingSettings, VAL_FRACTION } from './training-settings.js';

/** What the session needs from the place it runs in: a worker, or a test. */
export interface SessionHost {
  post(message: WorkerMessage, transfer?: Transferable[]): void;
  fetchDataset(url: string): Promise<ArrayBuffer>;
  /** Lets queued messages (Pause) in between two pieces of training. */
  yieldToEvents(): Promise<void>;
  now(): number;
  /**
   * Starts the kernel threads, if the host has them, and says where the kernels run. Called
   * before the first run only: the threads serve every run of the session. Without it the
   * kernels run as @dlfs/tensor has them.
   */
  startKernels?(): Promise<KernelInfo>;
}

/** Most misclassified digits sent per epoch. */
const MISCLASSIFIED_SHOWN = 24;
/** Progress and weights are sent at most this often, in milliseconds. */
const PROGRESS_EVERY = 100;
const WEIGHTS_EVERY = 500;
const SPEED_WINDOW = 2000;
/** Longest stretch of training between two looks at the message queue, in milliseconds. */
const SLICE = 50;

interface Run {
  readonly settings: TrainingSettings;
  readonly network: Network;
  readonly trainer: Trainer;
  readonly scaler: Scaler;
  readonly val: LabelledData;
  /** The validation digits' raw bytes, to show the ones the network gets wrong. */
  readonly valPixels: Uint8Array;
  readonly pixelsPerRow: number;
  readonly control: Int32Array | undefined;
  readonly started: number;
  /** The iteration and epoch of the last step. */
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
 * in a test alike. It drives @dlfs/model's Trainer one step at a time on the MNIST asset, split
 * and seeded exactly as `dlfs train --scale 255` does (so the same seed gives the same weights),
 * and reports progress, epochs, warnings and weight snapshots as messages.
 *
 * Pause: steps run in slices that end at an epoch's end or after SLICE milliseconds, and the
 * message queue is read between slices, so a Pause message lands within a slice. When the page
 * shares a control word (SharedArrayBuffer, cross-origin isolated pages) it is read before every
 * step, so Pause takes effect at once.
 */
export class TrainingSession {
  private run: Run | undefined;
  private looping = false;
  private pauseRequested = false;
  private readonly datasets = new MnistAssets((url) => this.host.fetchDataset(url));
  private kernels: Promise<KernelInfo> | undefined;

  constructor(private readonly host: SessionHost) {}

  async handle(message: ClientMessage): Promise<void> {
    try {
      if (message.type === 'start') await this.start(message);
      else if (message.type === 'pause') this.pauseRequested = true;
      else if (message.type === 'resume') {
        this.pauseRequested = false;
        const run = this.run;
        if (run !== undefined && !this.looping && !run.trainer.finished) {
          run.speed = [];
          this.host.post({ type: 'resumed', iteration: run.trainer.iteration });
          await this.loop(run);
        }
      }
    } catch (err) {
      this.host.post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  }

  private async start(message: Extract<ClientMessage, { type: 'start' }>): Promise<void> {
    const settings = message.settings;
    this.pauseRequested = false;
    const problem = checkSettings(settings);
    if (problem !== undefined) throw new Error(problem);
    this.kernels ??= this.host.startKernels?.() ?? Promise.resolve(kernelInfo(backendInfo()));
    // The threads start while the digits load.
    const [asset, kernels] = await Promise.all([this.datasets.get(message.datasetUrl), this.kernels]);
    const { rows, pixelsPerRow } = asset;
    // The digits as 0..255 floats, as `dlfs train` reads the bundled sample.
    const x = new Tensor(Float32Array.from(asset.pixels), [rows, pixelsPerRow]);
    const classes = asset.labels.reduce((m, t) => Math.max(m, t), 0) + 1;

    // Separate streams for the split, the weights, the batches and the passes, forked from
    // the seed as `dlfs train` forks them.
    const streams = seedStreams(settings.seed);
    const split = trainValSplit(rows, VAL_FRACTION, streams.split);
    // The split goes into WASM memory, where the batches and the kernels read it in place.
    const trainX = gatherRows(x, split.train, zeros([split.train.length, pixelsPerRow], 'float32'));
    const valX = gatherRows(x, split.val, zeros([split.val.length, pixelsPerRow], 'float32'));
    // x / 255, fitted on the training split (a no-op fit for this scaler, kept for the pattern).
    const scaler = createScaler('255').fit(trainX);
    scaler.transform(trainX, trainX);
    scaler.transform(valX, valX);
    const valPixels = new Uint8Array(split.val.length * pixelsPerRow);
    split.val.forEach((r, k) => valPixels.set(asset.pixels.subarray(r * pixelsPerRow, (r + 1) * pixelsPerRow), k * pixelsPerRow));

    // Chapter 5's 784-hidden-10, or chapter 7's SimpleConvNet, which views each row of 784 as a [1, 28, 28] image.
    const spec = settings.network === 'simple-convnet' ? SIMPLE_CONVNET : defaultSpec(classes, settings.hidden);
    const network = Network.build(spec, {
      registry: builtinLayers(),
      inputShape: [pixelsPerRow],
      rng: streams.init,
      dtype: 'float32',
      classes,
    });
    const val = { x: valX, labels: gatherLabels(asset.labels, split.val) };
    const now = this.host.now();
    const control = message.control === undefined ? undefined : new Int32Array(message.control);
    // The run is made before the trainer, whose callbacks report through it.
    const run: Run = {
      settings,
      network,
      trainer: undefined as unknown as Trainer,
      scaler,
      val,
      valPixels,
      pixelsPerRow,
      control,
      started: now,
      iteration: 0,
      epoch: 1,
      losses: [],
      lastProgress: now,
      speed: [],
      lastWeights: now,
    };
    const trainer = new Trainer(network, { x: trainX, labels: gatherLabels(asset.labels, split.train) }, val, {
      optimizer: builtinOptimizers().create(settings.optimizer, { lr: settings.lr }),
      batchSize: settings.batchSize,
      iterations: settings.iterations,
      sampling: 'replacement',
      rng: streams.batch,
      passRng: streams.pass,
      onIteration: (p) => this.onIteration(run, p),
      onEpoch: (m) => this.onEpoch(run, m),
      onWarning: (w) => this.host.post({ type: 'warning', code: w.code, message: w.message }),
    });
    (run as { trainer: Trainer }).trainer = trainer;
    this.run = run;
    this.host.post({
      type: 'ready',
      trainRows: split.train.length,
      valRows: split.val.length,
      iterations: trainer.plan.iterations,
      itersPerEpoch: trainer.plan.itersPerEpoch,
      spec: network.spec,
      isolated: control !== undefined,
      kernels,
    });
    this.postWeights(run);
    await this.loop(run);
  }

  private paused(run: Run): boolean {
    return this.pauseRequested || (run.control !== undefined && Atomics.load(run.control, 0) === CONTROL.pause);
  }

  private async loop(run: Run): Promise<void> {
    this.looping = true;
    const { trainer } = run;
    try {
      while (!trainer.finished && run === this.run) {
        if (this.paused(run)) {
          this.flushProgress(run);
          this.postWeights(run);
          this.host.post({ type: 'paused', iteration: trainer.iteration });
          return;
        }
        // A slice of steps: until an epoch ends, SLICE milliseconds pass, or Pause is pressed.
        const sliceStart = this.host.now();
        for (;;) {
          const step = trainer.step();
          if (trainer.finished || step.epochEnded !== undefined || this.host.now() - sliceStart >= SLICE || this.paused(run)) break;
        }
        if (trainer.finished) {
          this.flushProgress(run);
          const result = trainer.result();
          this.postWeights(run);
          this.host.post({
            type: 'done',
            iteration: result.iterations,
            epochs: result.epochs,
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
    run.iteration = p.iteration;
    run.epoch = p.epoch;
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
      epoch: m.epoch,
      iteration: m.iteration,
      loss: m.loss,
      trainAccuracy: m.trainAccuracy,
      valAccuracy: m.valAccuracy ?? 0,
      perClass: hits.map((h, c) => (counts[c]! > 0 ? h / counts[c]! : 0)),
      misclassified,
      wrong,
    });
    this.postWeights(run);
  }

  private postWeights(run: Run): void {
    run.lastWeights = this.host.now();
    const copy = (tensors: Readonly<Record<string, Tensor>>): Record<string, Float32Array> =>
      Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, Float32Array.from(t.data)]));
    const params = copy(run.network.params);
    const state = copy(run.network.state);
    this.host.post(
      { type: 'weights', iteration: run.trainer.iteration, spec: run.network.spec, scaler: run.scaler.toJSON(), params, state },
      [...Object.values(params), ...Object.values(state)].map((p) => p.buffer),
    );
  }
}
