import { builtinLayers } from '@dlfs/layers';
import { type LabelledData, Network, type NetworkSpec, seedStreams, Trainer } from '@dlfs/model';
import { builtinOptimizers } from '@dlfs/optimizers';
import { MnistAssets } from '../training/mnist-asset.js';
import { prepareDigits } from './ch6-data.js';
import { type Ch6ClientMessage, type Ch6WorkerMessage, COMPARE_OPTIMIZERS, type CompareSettings, type LabSettings } from './ch6-protocol.js';

/** What the session needs from the place it runs in: a worker, or a test. */
export interface Ch6Host {
  post(message: Ch6WorkerMessage, transfer?: Transferable[]): void;
  fetchDataset(url: string): Promise<ArrayBuffer>;
  /** Lets queued messages in between two pieces of training. */
  yieldToEvents(): Promise<void>;
  now(): number;
}

/** Longest stretch of training between two looks at the message queue, in milliseconds. */
const SLICE = 50;
/** Loss progress is sent at most this often, in milliseconds. */
const PROGRESS_EVERY = 100;
const UNITS = 100;
const CLASSES = 10;

/** `hiddenLayers` × (Affine(100) → [BatchNorm] → ReLU → [Dropout]) → Affine(10) → SoftmaxWithLoss: the book's MultiLayerNetExtend. */
export function labSpec(s: Pick<LabSettings, 'hiddenLayers' | 'init' | 'batchNorm' | 'dropout'>): NetworkSpec {
  const layers: NetworkSpec['layers'] = [];
  for (let k = 0; k < s.hiddenLayers; k++) {
    layers.push({ type: 'affine', units: UNITS, weightInitStd: s.init });
    if (s.batchNorm) layers.push({ type: 'batch-norm' });
    layers.push({ type: 'relu' });
    if (s.dropout > 0) layers.push({ type: 'dropout', ratio: s.dropout });
  }
  layers.push({ type: 'affine', units: CLASSES, weightInitStd: s.init });
  return { layers, loss: 'softmax-with-loss' };
}

/** Checks lab settings from the form; the message names the field. */
export function checkLab(s: LabSettings): string | undefined {
  const whole = (v: number, lo: number, hi: number): boolean => Number.isInteger(v) && v >= lo && v <= hi;
  if (!whole(s.digits, 10, 9000)) return 'Training digits must be a whole number from 10 to 9,000';
  if (!whole(s.epochs, 1, 1000)) return 'Epochs must be a whole number from 1 to 1,000';
  if (!whole(s.hiddenLayers, 1, 8)) return 'Hidden layers must be a whole number from 1 to 8';
  if (!whole(s.batchSize, 1, 1000)) return 'Batch size must be a whole number from 1 to 1,000';
  if (!(Number.isFinite(s.weightDecay) && s.weightDecay >= 0 && s.weightDecay <= 10)) return 'Weight decay λ must be a number from 0 to 10';
  if (!(Number.isFinite(s.dropout) && s.dropout >= 0 && s.dropout < 1)) return 'Dropout ratio must be a number from 0 up to (not including) 1';
  if (!(Number.isFinite(s.lr) && s.lr > 0 && s.lr <= 10)) return 'Learning rate must be a number above 0 and at most 10';
  if (typeof s.init === 'number' && !(Number.isFinite(s.init) && s.init > 0)) return 'The initial weights’ std must be a number above 0';
  if (!(Number.isSafeInteger(s.seed) && s.seed >= 0)) return 'Seed must be a whole number ≥ 0';
  if (!builtinOptimizers().has(s.optimizer)) return `Optimizer must be one of ${builtinOptimizers().types().join(', ')}`;
  return undefined;
}

export function checkCompare(s: CompareSettings): string | undefined {
  const whole = (v: number, lo: number, hi: number): boolean => Number.isInteger(v) && v >= lo && v <= hi;
  if (!whole(s.hiddenLayers, 1, 5)) return 'Hidden layers must be a whole number from 1 to 5';
  if (!whole(s.iterations, 1, 5000)) return 'Iterations must be a whole number from 1 to 5,000';
  if (!whole(s.batchSize, 1, 1000)) return 'Batch size must be a whole number from 1 to 1,000';
  if (!(Number.isSafeInteger(s.seed) && s.seed >= 0)) return 'Seed must be a whole number ≥ 0';
  return undefined;
}

/**
 * The chapter-6 side of the worker: the four-optimizer race of figure 6-9 and the runs of the
 * regularisation lab (6.3, 6.4), each on @dlfs/model's Network and Trainer with @dlfs/layers'
 * batch-norm and dropout and the Trainer's weightDecay, as `dlfs train` builds them. Jobs queue
 * and run one after another, in slices with a look at the message queue between them.
 */
export class Ch6Session {
  private readonly queue: Ch6ClientMessage[] = [];
  private running = false;
  private readonly datasets = new MnistAssets((url) => this.host.fetchDataset(url));

  constructor(private readonly host: Ch6Host) {}

  /** Queues a job; resolves when the queue it joined has run out. */
  async handle(message: Ch6ClientMessage): Promise<void> {
    this.queue.push(message);
    if (this.running) return;
    this.running = true;
    try {
      for (let job = this.queue.shift(); job !== undefined; job = this.queue.shift()) {
        try {
          if (job.type === 'compare') await this.compare(job);
          else await this.lab(job);
        } catch (err) {
          this.host.post({ type: 'error', id: job.id, message: err instanceof Error ? err.message : String(err) });
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async compare(job: Extract<Ch6ClientMessage, { type: 'compare' }>): Promise<void> {
    const s = job.settings;
    const problem = checkCompare(s);
    if (problem !== undefined) throw new Error(problem);
    const { train } = prepareDigits(await this.datasets.get(job.datasetUrl));
    const spec = labSpec({ hiddenLayers: s.hiddenLayers, init: 'he', batchNorm: false, dropout: 0 });
    const started = this.host.now();
    // One network per optimizer, each from the same seed: the same initial weights and the same mini-batches.
    const runs = COMPARE_OPTIMIZERS.map((o) => {
      const streams = seedStreams(s.seed);
      const network = Network.build(spec, {
        registry: builtinLayers(),
        inputShape: [train.x.shape[1]!],
        rng: streams.init,
        dtype: 'float32',
        classes: CLASSES,
      });
      const losses: number[] = [];
      const trainer = new Trainer(network, train, undefined, {
        optimizer: builtinOptimizers().create(o.type, { lr: o.lr }),
        batchSize: s.batchSize,
        iterations: s.iterations,
        rng: streams.batch,
        passRng: streams.pass,
        onIteration: (p) => losses.push(p.iteration, p.loss),
      });
      return { trainer, losses };
    });
    this.host.post({
      type: 'compare-ready',
      id: job.id,
      trainRows: train.labels.length,
      iterations: s.iterations,
      layers: [784, ...Array(s.hiddenLayers).fill(UNITS), CLASSES],
    });
    let lastProgress = this.host.now();
    const flush = (): void => {
      const losses = runs.map((r) => Float64Array.from(r.losses));
      for (const r of runs) r.losses.length = 0;
      this.host.post(
        { type: 'compare-progress', id: job.id, iteration: runs[0]!.trainer.iteration, losses },
        losses.map((l) => l.buffer),
      );
      lastProgress = this.host.now();
    };
    while (runs.some((r) => !r.trainer.finished)) {
      const sliceStart = this.host.now();
      // One step of each optimizer in turn, so the four curves grow together.
      while (this.host.now() - sliceStart < SLICE && runs.some((r) => !r.trainer.finished)) for (const r of runs) if (!r.trainer.finished) r.trainer.step();
      if (this.host.now() - lastProgress >= PROGRESS_EVERY) flush();
      await this.host.yieldToEvents();
    }
    flush();
    this.host.post({ type: 'compare-done', id: job.id, iteration: s.iterations, seconds: (this.host.now() - started) / 1000 });
  }

  private async lab(job: Extract<Ch6ClientMessage, { type: 'lab' }>): Promise<void> {
    const s = job.settings;
    const problem = checkLab(s);
    if (problem !== undefined) throw new Error(problem);
    const { train, test } = prepareDigits(await this.datasets.get(job.datasetUrl), s.digits);
    const streams = seedStreams(s.seed);
    const network = Network.build(labSpec(s), {
      registry: builtinLayers(),
      inputShape: [train.x.shape[1]!],
      rng: streams.init,
      dtype: 'float32',
      classes: CLASSES,
    });
    const started = this.host.now();
    let last = { trainAccuracy: 0, testAccuracy: 0 };
    const measure = (data: LabelledData): number => network.accuracy(data.x, data.labels);
    const trainer = new Trainer(network, train, undefined, {
      optimizer: builtinOptimizers().create(s.optimizer, { lr: s.lr }),
      batchSize: s.batchSize,
      epochs: s.epochs,
      rng: streams.batch,
      passRng: streams.pass,
      weightDecay: s.weightDecay,
      // The book's accuracies: on all the training digits and all the test digits, in an evaluation pass, after every epoch.
      onEpoch: (m) => {
        last = { trainAccuracy: measure(train), testAccuracy: measure(test) };
        this.host.post({ type: 'lab-epoch', id: job.id, epoch: m.epoch, epochs: s.epochs, ...last });
      },
    });
    this.host.post({ type: 'lab-ready', id: job.id, trainRows: train.labels.length, testRows: test.labels.length, itersPerEpoch: trainer.plan.itersPerEpoch });
    let stopped: string | null = null;
    while (!trainer.finished) {
      const sliceStart = this.host.now();
      while (!trainer.finished && this.host.now() - sliceStart < SLICE) trainer.step();
      await this.host.yieldToEvents();
    }
    const result = trainer.result();
    if (result.stopped === 'non-finite-loss') stopped = 'non-finite-loss';
    this.host.post({ type: 'lab-done', id: job.id, epochs: result.epochs, ...last, seconds: (this.host.now() - started) / 1000, stopped });
  }
}
