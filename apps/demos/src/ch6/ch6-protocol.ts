/** The four optimizers of figure 6-9 with the book's learning rates there (optimizer_compare_mnist.py: each class's default). */
export const COMPARE_OPTIMIZERS = [
  { type: 'sgd', label: 'SGD', lr: 0.01, color: '--opt-sgd' },
  { type: 'momentum', label: 'Momentum', lr: 0.01, color: '--opt-momentum' },
  { type: 'adagrad', label: 'AdaGrad', lr: 0.01, color: '--opt-adagrad' },
  { type: 'adam', label: 'Adam', lr: 0.001, color: '--opt-adam' },
] as const;

/** Figure 6-9 made smaller: `hiddenLayers` layers of 100 ReLU units (the book: 4), He's initial weights, on the bundled digits. */
export interface CompareSettings {
  hiddenLayers: number;
  iterations: number;
  batchSize: number;
  seed: number;
}

export const DEFAULT_COMPARE: Readonly<CompareSettings> = Object.freeze({ hiddenLayers: 2, iterations: 500, batchSize: 128, seed: 0 });

/** One run of the 6.3/6.4 lab: the book's overfitting setup (a few hundred digits, 100-unit ReLU layers) with the switches of MultiLayerNetExtend. */
export interface LabSettings {
  /** Training digits (the book: the first 300). */
  digits: number;
  epochs: number;
  /** Hidden layers of 100 units (the book's overfitting nets: 6). */
  hiddenLayers: number;
  /** Initial weights of the affine layers: a std, 'xavier' or 'he'. */
  init: number | 'xavier' | 'he';
  batchNorm: boolean;
  /** λ of weight decay; 0 is off. */
  weightDecay: number;
  /** Dropout ratio after each hidden layer; 0 is off. */
  dropout: number;
  optimizer: string;
  lr: number;
  batchSize: number;
  seed: number;
}

/** overfit_weight_decay.py without the decay: 300 digits, 6 hidden layers, SGD lr 0.01, batch 100, 200 epochs. */
export const DEFAULT_LAB: Readonly<LabSettings> = Object.freeze({
  digits: 300,
  epochs: 200,
  hiddenLayers: 6,
  init: 'he',
  batchNorm: false,
  weightDecay: 0,
  dropout: 0,
  optimizer: 'sgd',
  lr: 0.01,
  batchSize: 100,
  seed: 0,
});

/** Page → chapter-6 worker. Runs are queued in the worker and run one after another. */
export type Ch6ClientMessage =
  | { type: 'compare'; id: number; settings: CompareSettings; datasetUrl: string }
  | { type: 'lab'; id: number; settings: LabSettings; datasetUrl: string };

/** Chapter-6 worker → page. */
export type Ch6WorkerMessage =
  | { type: 'compare-ready'; id: number; trainRows: number; iterations: number; layers: number[] }
  /** Pairs (iteration, mini-batch loss) of each optimizer since the last progress message, in COMPARE_OPTIMIZERS' order. */
  | { type: 'compare-progress'; id: number; iteration: number; losses: Float64Array[] }
  | { type: 'compare-done'; id: number; iteration: number; seconds: number }
  | { type: 'lab-ready'; id: number; trainRows: number; testRows: number; itersPerEpoch: number }
  | { type: 'lab-epoch'; id: number; epoch: number; epochs: number; trainAccuracy: number; testAccuracy: number }
  | { type: 'lab-done'; id: number; epochs: number; trainAccuracy: number; testAccuracy: number; seconds: number; stopped: string | null }
  | { type: 'error'; id: number; message: string };
