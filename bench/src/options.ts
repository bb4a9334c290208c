import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BASELINE_TOLERANCE } from './report.js';

export const SECTIONS = ['train', 'csv', 'gradcheck', 'conv'] as const;
export type Section = (typeof SECTIONS)[number];

export interface Options {
  only: Section[];
  /** Rounds of the training benchmark (each implementation once per round, interleaved). */
  rounds: number;
  /** Iterations per round; undefined: chosen per implementation from its warm-up to fill `roundMs`. */
  iters: number | undefined;
  roundMs: number;
  warmupIters: number;
  warmupMs: number;
  csvRounds: number;
  /** Iterations of the CLI training run whose peak memory is measured. */
  trainIters: number;
  gradcheckRounds: number;
  gradcheckSamples: number;
  /** Rounds of the SimpleConvNet step (the slow implementations take part in the first 3 only). */
  convRounds: number;
  /** Target length of one fast implementation's SimpleConvNet round. */
  convRoundMs: number;
  /** The Python with PyTorch, for the SimpleConvNet section's PyTorch rows. */
  torchPython: string;
  /** Only the training implementations (train and conv sections) whose id starts with one of these. */
  impl: string[] | undefined;
  python: string;
  /** BLAS threads of the reference NumPy runs (the dlfs and TF.js runs use one thread). */
  numpyThreads: number;
  seed: number;
  out: string;
  cacheDir: string;
  /**
   * Absolute path of another checkout of this repository, at an older commit, installed and
   * built: its dlfs runs beside this tree's in the train and csv sections.
   */
  baseline: string | undefined;
  help: boolean;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `usage: pnpm bench [options]

Benchmarks dlfs against NumPy and TensorFlow.js: the chapter-5 training step (batch 100,
784-50-10, SGD lr 0.1), loading a Kaggle-size train.csv, the network gradient check, and
the book's SimpleConvNet training step (7.5, Adam; also against PyTorch and ConvNetJS) with
\`dlfs predict\` on a Kaggle-size test.csv.

  --only LIST            sections to run, comma-separated: train, csv, gradcheck, conv
                         (default all)
  --rounds N             training rounds, every implementation once per round (default 7)
  --iters N              training iterations per round for every implementation
                         (default: chosen from each one's warm-up to fill --round-ms)
  --round-ms MS          target length of one implementation's round (default 500)
  --warmup N             warm-up iterations, at least (default 30)
  --warmup-ms MS         warm-up time, at least (default 1000)
  --impl LIST            only training implementations whose id starts with one of these,
                         e.g. dlfs,numpy-f64,tfjs-wasm (train and conv sections; conv ids:
                         dlfs-<backend>-f32-1t, -mt, numpy-f32, numpy-f64, torch-1t, torch-2t,
                         tfjs-cpu, tfjs-wasm, convnetjs); 'baseline' takes the --baseline rows
  --csv-rounds N         loads of the CSV per loader, interleaved (default 2)
  --train-iters N        iterations of the 'dlfs train' run whose memory is measured (default 200)
  --gradcheck-rounds N   gradient checks per implementation, interleaved (default 3)
  --conv-rounds N        SimpleConvNet rounds, every implementation once per round; TF.js cpu
                         and ConvNetJS (seconds per step) take part in the first 3 (default 5)
  --conv-round-ms MS     target length of one SimpleConvNet round (default 1000)
  --python CMD           the Python with NumPy (default $PYTHON or python3)
  --torch-python CMD     the Python with PyTorch (default $TORCH_PYTHON or /usr/bin/python3)
  --numpy-threads N      BLAS threads of the reference NumPy rows (default 1, as dlfs and
                         TF.js run on one thread); the "-mt" rows keep the BLAS default
  --seed N               seeds the initial weights (default 0)
  --out FILE             results JSON (default bench/results/latest.json)
  --cache-dir DIR        where the data files and the generated train.csv and test.csv live
                         (default bench/.cache)
  --baseline DIR         also measure DIR's dlfs: DIR is another checkout of this repository
                         (e.g. an older commit), installed and built there (pnpm install &&
                         pnpm build). Adds training rows baseline-dlfs-<backend>-<f32|f64>
                         (run by DIR's own bench worker) and the loader baseline-dlfs-loadCsv,
                         interleaved with the others, and verdicts that this tree's step and
                         loadCsv take ≤ ${BASELINE_TOLERANCE}× DIR's median time. See bench/README.md.
  -h, --help             this text
`;

function count(flag: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${flag} must be a whole number >= ${min}, got ${JSON.stringify(value)}`);
  return n;
}

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return items.length === 0 ? undefined : items;
}

/**
 * `defaults.cwd` is where relative --baseline paths start: the directory `pnpm bench` was typed
 * in (pnpm's INIT_CWD), which is not the script's own directory when run from a package.
 */
export function parseOptions(
  argv: readonly string[],
  defaults: { out: string; cacheDir: string; python?: string; torchPython?: string; cwd?: string },
): Options {
  const { values } = (() => {
    try {
      return parseArgs({
        args: [...argv],
        strict: true,
        allowPositionals: false,
        options: {
          only: { type: 'string', multiple: true },
          rounds: { type: 'string' },
          iters: { type: 'string' },
          'round-ms': { type: 'string' },
          warmup: { type: 'string' },
          'warmup-ms': { type: 'string' },
          impl: { type: 'string', multiple: true },
          'csv-rounds': { type: 'string' },
          'train-iters': { type: 'string' },
          'gradcheck-rounds': { type: 'string' },
          'conv-rounds': { type: 'string' },
          'conv-round-ms': { type: 'string' },
          python: { type: 'string' },
          'torch-python': { type: 'string' },
          'numpy-threads': { type: 'string' },
          seed: { type: 'string' },
          out: { type: 'string' },
          'cache-dir': { type: 'string' },
          baseline: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      });
    } catch (err) {
      throw new UsageError(`${(err as Error).message}\n\n${USAGE}`);
    }
  })();
  const only = (values.only ?? []).flatMap((v) => list(v) ?? []);
  for (const s of only) {
    if (!(SECTIONS as readonly string[]).includes(s)) throw new UsageError(`--only takes ${SECTIONS.join(', ')}; got ${JSON.stringify(s)}`);
  }
  const impl = (values.impl ?? []).flatMap((v) => list(v) ?? []);
  if (values.baseline !== undefined && values.baseline.trim() === '')
    throw new UsageError('--baseline needs a directory: the root of another checkout of this repository');
  const baselinePattern = impl.find((p) => p === 'baseline' || p.startsWith('baseline-'));
  if (baselinePattern !== undefined && values.baseline === undefined) {
    throw new UsageError(`--impl ${baselinePattern} selects baseline rows, which need --baseline DIR (another checkout of this repository, built)`);
  }
  const cwd = defaults.cwd ?? process.cwd();
  return {
    only: only.length === 0 ? [...SECTIONS] : SECTIONS.filter((s) => only.includes(s)),
    rounds: count('rounds', values.rounds, 7),
    iters: values.iters === undefined ? undefined : count('iters', values.iters, 0),
    roundMs: count('round-ms', values['round-ms'], 500),
    warmupIters: count('warmup', values.warmup, 30, 0),
    warmupMs: count('warmup-ms', values['warmup-ms'], 1000, 0),
    csvRounds: count('csv-rounds', values['csv-rounds'], 2),
    trainIters: count('train-iters', values['train-iters'], 200),
    gradcheckRounds: count('gradcheck-rounds', values['gradcheck-rounds'], 3),
    gradcheckSamples: 3,
    convRounds: count('conv-rounds', values['conv-rounds'], 5),
    convRoundMs: count('conv-round-ms', values['conv-round-ms'], 1000),
    torchPython: values['torch-python'] ?? defaults.torchPython ?? '/usr/bin/python3',
    impl: impl.length === 0 ? undefined : impl,
    python: values.python ?? defaults.python ?? 'python3',
    numpyThreads: count('numpy-threads', values['numpy-threads'], 1),
    seed: count('seed', values.seed, 0, 0),
    out: values.out ?? defaults.out,
    cacheDir: values['cache-dir'] ?? defaults.cacheDir,
    baseline: values.baseline === undefined ? undefined : resolve(cwd, values.baseline),
    help: values.help ?? false,
  };
}
