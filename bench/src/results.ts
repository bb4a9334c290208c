import type { ProbeResult } from './machine-probe.js';
import type { ConvCheckResult } from './impl/conv-trainer.js';
import type { Section } from './options.js';
import type { Summary } from './stats.js';

export type Status = 'ok' | 'skipped' | 'error';

/** What an implementation measured over interleaved rounds records (see timedRound). */
export interface RoundsResult {
  itersPerRound?: number;
  /** Untimed iterations run before each round's timed ones (rewarmIters). */
  rewarmPerRound?: number;
  warmup?: { iters: number; msPerIter: number };
  /** ms per iteration of each round it ran in, in round order. */
  rounds: number[];
  summary?: Summary;
  /** Steps taken in all, warm-up and untimed steps included. */
  totalIters?: number;
  /** The loss of the last step of the last round (a sanity check: training goes down from ln 10 ≈ 2.30). */
  lastLoss?: number;
}

/** One implementation of the training step, measured over interleaved rounds. */
export interface TrainImplResult extends RoundsResult {
  /** 'dlfs-js-f32', 'numpy-f64', 'tfjs-wasm', 'baseline-dlfs-wasm-f32' */
  id: string;
  label: string;
  /** 'baseline': the dlfs of the --baseline checkout, run by that checkout's own bench worker. */
  family: 'dlfs' | 'numpy' | 'tfjs' | 'baseline';
  backend: string;
  dtype: 'float32' | 'float64';
  status: Status;
  /** Why it was skipped, or what went wrong. */
  note?: string;
  /** median / NumPy float64's median (below 1: faster). */
  vsNumpyF64?: number;
  vsNumpyF32?: number;
  /** For a dlfs row: median / the median of the baseline row of the same backend and dtype. */
  vsBaseline?: number;
  /** Its step on the check rows (see TrainSection.check) and the largest relative difference from the reference. */
  check?: { loss0: number; loss1: number; gradL1: Record<string, number>; maxRelDiff: number };
  info?: unknown;
}

export interface TrainSection {
  /** Before timing, every implementation steps once on these rows; dlfs js float64's result is the reference. */
  check: { rows: number[]; reference: { loss0: number; loss1: number; gradL1: Record<string, number> } };
  config: { batchSize: number; layers: number[]; weightInitStd: number; optimizer: string; lr: number; samples: number; rounds: number };
  dlfsDefaultBackend: string;
  dlfsBackends: string[];
  /** What the --baseline checkout's dlfs offered (its own probe). */
  baselineDefaultBackend?: string;
  baselineBackends?: string[];
  implementations: TrainImplResult[];
}

/** One implementation of the SimpleConvNet training step, measured over interleaved rounds. */
export interface ConvImplResult extends RoundsResult {
  /** 'dlfs-wasm-f32-1t', 'dlfs-wasm-f32-mt', 'numpy-f32', 'numpy-f64', 'torch-1t', 'torch-2t', 'tfjs-cpu', 'tfjs-wasm', 'convnetjs' */
  id: string;
  label: string;
  family: 'dlfs' | 'numpy' | 'torch' | 'tfjs' | 'convnetjs';
  backend: string;
  dtype: 'float32' | 'float64';
  /** Threads asked for (BLAS threads for NumPy). */
  threads: number;
  /** For a dlfs row that is skipped because dlfs started fewer threads than asked for: the threads it started. */
  threadsStarted?: number;
  status: Status;
  /** Why it was skipped ("cannot train (kernel Conv2DBackpropFilter not registered for wasm)", a missing peer), or what went wrong. */
  note?: string;
  /** For a slow implementation, timed for a few iterations only: what it was given. */
  budget?: { warmupIters: number; rounds: number; itersPerRound: number };
  /** median / NumPy float64's median (below 1: faster). */
  vsNumpyF64?: number;
  vsNumpyF32?: number;
  /** Its step on the check rows and the largest difference from the reference (see convCheckDifference). */
  check?: ConvCheckResult & { maxRelDiff: number };
  info?: unknown;
}

/** `dlfs predict` of a SimpleConvNet model on a Kaggle-size test.csv, a whole process under /usr/bin/time -v. */
export interface PredictRun extends CliRun {
  /** Rows of the test file. */
  rows: number;
  file?: { path: string; rows: number; bytes: number; generatedNow: boolean };
  /** The `dlfs train --spec simple-convnet --iters N` run that made the model (not timed for the verdicts). */
  train?: CliRun & { iters: number };
  /** rows / wallSeconds: start-up, loading the CSV, predicting and writing the submission. */
  rowsPerSecond?: number;
}

export interface ConvSection {
  config: {
    network: string;
    batchSize: number;
    optimizer: string;
    lr: number;
    beta1: number;
    beta2: number;
    weightInitStd: number;
    samples: number;
    rounds: number;
    roundMs: number;
  };
  /** Before timing, every implementation steps once on these rows from the shared weights; dlfs js float64's result is the reference. */
  check: { rows: number[]; reference: ConvCheckResult };
  dlfsDefaultBackend: string;
  /** Threads of the "all threads" dlfs row: the machine's cores, at most 4 (impl/threads.ts). */
  allThreads: number;
  /** What the PyTorch rows ran (version, BLAS), or why they did not. */
  torch?: unknown;
  implementations: ConvImplResult[];
  /**
   * Before each round of the all-threads row (machines with 2 cores or more): the slower of two
   * threads running the same loop of arithmetic at once over one alone (1.00: both cores free;
   * above about 1.1, another process had part of a core). See machine-probe.ts.
   */
  machine?: ProbeResult;
  predict?: PredictRun;
}

export interface LoaderResult {
  id: 'dlfs-loadCsv' | 'baseline-dlfs-loadCsv' | 'numpy-loadtxt';
  label: string;
  status: Status;
  note?: string;
  /** Load time inside the process, seconds, per run. */
  seconds: number[];
  summary?: Summary;
  /** Largest peak RSS over the runs, MB (10^6 bytes). */
  peakRssMB?: number;
  /** Whole process wall time per run (start-up included), seconds. */
  processSeconds: number[];
  rows?: number;
  cols?: number;
}

export interface CsvSection {
  file: { path: string; rows: number; bytes: number; generatedNow: boolean; seconds?: number };
  loaders: LoaderResult[];
  /** median dlfs / median numpy */
  loadRatio?: number;
  /** median dlfs / median of the --baseline checkout's loadCsv */
  baselineRatio?: number;
  trainRun: CliRun & { iters: number };
  /** `dlfs train --spec simple-convnet --optimizer adam --lr 0.001 --epochs 1` on the file: a conv net's memory on Kaggle-size data. */
  convRun?: CliRun;
}

/** A whole `dlfs` process under /usr/bin/time -v. */
export interface CliRun {
  status: Status;
  note?: string;
  command?: string;
  wallSeconds?: number;
  peakRssMB?: number;
  exitCode?: number;
}

export interface GradcheckImplResult {
  id: 'dlfs' | 'numpy';
  label: string;
  status: Status;
  note?: string;
  seconds: number[];
  summary?: Summary;
  /** Mean |backprop − numerical| per parameter (the book's printout), from the last run. */
  meanAbsDiff?: Record<string, number>;
  ok?: boolean;
}

export interface GradcheckSection {
  samples: number;
  network: string;
  implementations: GradcheckImplResult[];
}

export type VerdictStatus = 'PASS' | 'FAIL' | 'SKIP';

export interface Verdict {
  id: string;
  /** 'target': what the issue asks for; 'aim': a stretch goal; 'info': reported, asked of nobody. */
  kind: 'target' | 'aim' | 'info';
  status: VerdictStatus;
  /** What is compared, in words. */
  target: string;
  /** The measured value and what it came from, or why it was skipped. */
  measured: string;
  value?: number;
  limit: number;
  /** For a comparison with --baseline: the same ratio from the rounds' minimums (value is the medians'). */
  byMin?: number;
}

export interface BenchResults {
  schema: 'dlfs-bench/1';
  startedAt: string;
  finishedAt: string;
  command: string;
  sections: Section[];
  machine: Record<string, unknown>;
  /** The --baseline checkout the baseline rows came from. */
  baseline?: { dir: string; revision: string; commit?: string };
  train?: TrainSection;
  csv?: CsvSection;
  gradcheck?: GradcheckSection;
  conv?: ConvSection;
  verdicts: Verdict[];
  notes: string[];
}
