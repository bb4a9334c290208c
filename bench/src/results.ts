import type { Section } from './options.js';
import type { Summary } from './stats.js';

export type Status = 'ok' | 'skipped' | 'error';

/** One implementation of the training step, measured over interleaved rounds. */
export interface TrainImplResult {
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
  itersPerRound?: number;
  warmup?: { iters: number; msPerIter: number };
  /** ms per iteration of each round, in round order. */
  rounds: number[];
  summary?: Summary;
  /** median / NumPy float64's median (below 1: faster). */
  vsNumpyF64?: number;
  vsNumpyF32?: number;
  /** For a dlfs row: median / the median of the baseline row of the same backend and dtype. */
  vsBaseline?: number;
  /** Its step on the check rows (see TrainSection.check) and the largest relative difference from the reference. */
  check?: { loss0: number; loss1: number; gradL1: Record<string, number>; maxRelDiff: number };
  /** Steps taken in all, warm-up included. */
  totalIters?: number;
  /** The loss of the last step of the last round (a sanity check: training goes down from 2.30). */
  lastLoss?: number;
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
  verdicts: Verdict[];
  notes: string[];
}
