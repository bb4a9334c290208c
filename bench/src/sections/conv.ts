import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { Rng } from '@dlfs/tensor';
import { readBenchData } from '../bench-data.js';
import { cliMissing, KAGGLE_TEST_ROWS, kaggleTestFile, kaggleTrainFile, runDlfs } from '../cli-run.js';
import { type BenchContext, errorText, NODE_WORKER } from '../context.js';
import { CONV_CONFIG, makeConvParams, readConvParams, writeConvParams } from '../conv-data.js';
import { DlfsConvTrainer } from '../impl/conv-dlfs.js';
import { CONV_CHECK_TOLERANCE, type ConvCheckResult, convCheckDifference } from '../impl/conv-trainer.js';
import type { BackendProbe } from '../impl/dlfs-backend.js';
import { allThreads } from '../impl/threads.js';
import { type RunReply, timedRound, WorkerProcess } from '../protocol.js';
import { numpyEnv, probeTorch, PYTHON_WORKER, TORCH_WORKER, type TorchProbe } from '../python.js';
import { addRatios } from '../report.js';
import type { ConvImplResult, ConvSection, PredictRun } from '../results.js';
import { ParallelProbe, probeResult } from '../machine-probe.js';
import { itersForRound, rewarmIters, rotate, summarize } from '../stats.js';
import { matchesImpl } from './train.js';

/** Warm-up and timed iterations of the implementations that take seconds per step. */
const TFJS_CPU_BUDGET = { warmupIters: 1, rounds: 3, itersPerRound: 1 };
const CONVNETJS_BUDGET = { warmupIters: 1, rounds: 3, itersPerRound: 2 };
/** Warm-up of the others: at least this many iterations and this long. */
const WARMUP = { minIters: 5, minMs: 1500 };
/** Iterations of the `dlfs train` run that makes the model `dlfs predict` is timed with. */
const PREDICT_MODEL_ITERS = 20;

interface Impl {
  result: ConvImplResult;
  start(): WorkerProcess;
  setup: Record<string, unknown>;
  worker?: WorkerProcess;
}

/** The all-threads row's note on a machine with one core. */
export const ONE_CORE = 'this machine has 1 core: there are no other threads to run on';

/** Why ConvNetJS cannot be loaded, or undefined when it can. */
function convnetjsMissing(): string | undefined {
  try {
    createRequire(import.meta.url).resolve('convnetjs');
    return undefined;
  } catch {
    return 'the npm package convnetjs is not installed (a devDependency of @dlfs/bench: pnpm install)';
  }
}

/** "cannot train (kernel X not registered for B)" for TF.js's missing-kernel error, else undefined. */
export function cannotTrain(message: string): string | undefined {
  const m = /Kernel '([^']+)' not registered for backend '([^']+)'/.exec(message);
  return m ? `cannot train (kernel ${m[1]} not registered for ${m[2]})` : undefined;
}

function implementations(ctx: BenchContext, probe: BackendProbe, torch: TorchProbe, mtThreads: number, paths: { data: string; params: string }): Impl[] {
  const node = (label: string): WorkerProcess => new WorkerProcess(label, process.execPath, [NODE_WORKER]);
  const common = { cmd: 'setup', model: 'simple-convnet', data: paths.data, params: paths.params };
  const impls: Impl[] = [];
  const def = probe.default;
  const slowRounds = (b: typeof TFJS_CPU_BUDGET) => ({ ...b, rounds: Math.min(b.rounds, ctx.opts.convRounds) });
  for (const [suffix, threads] of [
    ['1t', 1],
    ['mt', mtThreads],
  ] as const) {
    const label = `dlfs ${def} float32, ${suffix === '1t' ? '1 thread' : `all threads (${threads})`}`;
    const result: ConvImplResult = {
      id: `dlfs-${def}-f32-${suffix}`,
      label,
      family: 'dlfs',
      backend: def,
      dtype: 'float32',
      threads,
      status: 'ok',
      rounds: [],
    };
    if (suffix === 'mt' && threads < 2) Object.assign(result, { status: 'skipped', note: ONE_CORE });
    impls.push({
      result,
      start: () => node(label),
      setup: { ...common, impl: 'dlfs', backend: probe.switchable ? def : undefined, dtype: 'float32', threads, config: CONV_CONFIG },
    });
  }
  const blas = ctx.opts.numpyThreads;
  for (const dtype of ['float32', 'float64'] as const) {
    const label = `NumPy ${dtype} (book code, ${blas} BLAS thread${blas === 1 ? '' : 's'})`;
    const result: ConvImplResult = { id: `numpy-f${dtype.slice(5)}`, label, family: 'numpy', backend: 'numpy', dtype, threads: blas, status: 'ok', rounds: [] };
    if (!ctx.numpy.ok) Object.assign(result, { status: 'skipped', note: ctx.numpy.reason });
    impls.push({
      result,
      start: () => new WorkerProcess(label, ctx.opts.python, [PYTHON_WORKER], ctx.numpyEnv),
      setup: {
        ...common,
        dtype,
        seed: CONV_CONFIG.seed,
        batchSize: CONV_CONFIG.batchSize,
        lr: CONV_CONFIG.lr,
        beta1: CONV_CONFIG.beta1,
        beta2: CONV_CONFIG.beta2,
      },
    });
  }
  for (const threads of [1, 2]) {
    const label = `PyTorch${torch.ok ? ` ${torch.torch}` : ''} float32, ${threads} thread${threads === 1 ? '' : 's'}`;
    const result: ConvImplResult = { id: `torch-${threads}t`, label, family: 'torch', backend: 'cpu', dtype: 'float32', threads, status: 'ok', rounds: [] };
    if (!torch.ok) Object.assign(result, { status: 'skipped', note: torch.reason });
    // OpenBLAS (torch's matmuls) and OpenMP keep their own pools: both get the row's thread count.
    const env = numpyEnv(process.env, threads).env;
    impls.push({
      result,
      start: () => new WorkerProcess(label, ctx.opts.torchPython, [TORCH_WORKER], env),
      setup: {
        ...common,
        threads,
        seed: CONV_CONFIG.seed,
        batchSize: CONV_CONFIG.batchSize,
        lr: CONV_CONFIG.lr,
        beta1: CONV_CONFIG.beta1,
        beta2: CONV_CONFIG.beta2,
      },
    });
  }
  for (const backend of ['cpu', 'wasm'] as const) {
    const budget = backend === 'cpu' ? slowRounds(TFJS_CPU_BUDGET) : undefined;
    const few = budget ? ` (${budget.rounds * budget.itersPerRound} timed iterations after ${budget.warmupIters} warm-up)` : '';
    const label = `TF.js 4.22 ${backend} float32${few}`;
    impls.push({
      result: { id: `tfjs-${backend}`, label, family: 'tfjs', backend, dtype: 'float32', threads: 1, status: 'ok', rounds: [], ...(budget ? { budget } : {}) },
      start: () => node(label),
      setup: { ...common, impl: 'tfjs', backend, config: CONV_CONFIG },
    });
  }
  const budget = slowRounds(CONVNETJS_BUDGET);
  const label = `ConvNetJS 0.3.0 float64 (${budget.rounds * budget.itersPerRound} timed iterations after ${budget.warmupIters} warm-up)`;
  const missing = convnetjsMissing();
  impls.push({
    result: {
      id: 'convnetjs',
      label,
      family: 'convnetjs',
      backend: 'js',
      dtype: 'float64',
      threads: 1,
      status: missing ? 'skipped' : 'ok',
      rounds: [],
      budget,
      ...(missing ? { note: missing } : {}),
    },
    start: () => node(label),
    setup: { ...common, impl: 'convnetjs', config: CONV_CONFIG },
  });
  const only = ctx.opts.impl;
  return only === undefined ? impls : impls.filter((i) => only.some((p) => matchesImpl(i.result.id, p)));
}

function fail(impl: Impl, err: unknown): void {
  const message = errorText(err);
  const cannot = cannotTrain(message);
  impl.result.status = cannot ? 'skipped' : 'error';
  impl.result.note = cannot ?? message;
}

/** `dlfs predict` of a SimpleConvNet model (trained briefly by `dlfs train`) on a 28,000-row Kaggle-size test.csv. */
export async function benchPredict(ctx: BenchContext): Promise<PredictRun> {
  const rows = KAGGLE_TEST_ROWS;
  const missing = cliMissing();
  if (missing !== undefined) return { rows, status: 'skipped', note: missing };
  const train = await kaggleTrainFile(ctx);
  const test = await kaggleTestFile(ctx, train);
  const file = { path: test.path, rows: test.rows, bytes: test.bytes, generatedNow: test.generatedNow };
  const dir = mkdtempSync(join(os.tmpdir(), 'dlfs-bench-predict-'));
  try {
    const model = join(dir, 'model.json');
    const trainArgs = ['--spec', 'simple-convnet', '--optimizer', 'adam', '--lr', '0.001', '--iters', String(PREDICT_MODEL_ITERS)];
    const { stdout: _, ...trainRun } = await runDlfs(ctx, ['train', '--data', train.path, ...trainArgs, '--out', model], 'conv predict');
    const trained = { ...trainRun, iters: PREDICT_MODEL_ITERS };
    if (trainRun.status !== 'ok')
      return { rows, file, train: trained, status: trainRun.status, note: `training the model to predict with failed: ${trainRun.note}` };
    const { stdout, ...run } = await runDlfs(
      ctx,
      ['predict', '--model', model, '--data', test.path, '--out', join(dir, 'submission.csv'), '--json'],
      'conv predict',
    );
    const result: PredictRun = { ...run, rows, file, train: trained };
    if (run.status === 'ok') {
      let said: number | undefined;
      try {
        said = (JSON.parse(stdout ?? '') as { rows?: number }).rows;
      } catch {
        // checked below
      }
      if (said !== rows) Object.assign(result, { status: 'error', note: `dlfs predict --json said it predicted ${String(said)} rows, not ${rows}` });
      else if (run.wallSeconds !== undefined) result.rowsPerSecond = rows / run.wallSeconds;
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The book's SimpleConvNet training step (7.5; Adam lr 0.001, batch 100 of the bundled MNIST
 * sample), one process per implementation, interleaved as the train section: every
 * implementation steps once on the same rows from the same weights and must agree with dlfs
 * float64 before anything is timed; after the warm-ups, each round runs every implementation
 * once, one at a time, starting with a different one each round. TF.js cpu and ConvNetJS take
 * seconds per step and run a few iterations in the first rounds only. Then `dlfs predict` on a
 * Kaggle-size test.csv.
 */
export async function benchConv(ctx: BenchContext): Promise<ConvSection> {
  const { opts, log } = ctx;
  const prober = new WorkerProcess('dlfs backend probe', process.execPath, [NODE_WORKER]);
  let probe: BackendProbe;
  try {
    probe = await prober.request<BackendProbe>({ cmd: 'probe' });
  } finally {
    await prober.close();
  }
  const paramsPath = join(opts.cacheDir, 'conv-params.bin');
  log(`conv: writing SimpleConvNet's initial weights (dlfs's draw, std 0.01, seed ${opts.seed}) to ${paramsPath}`);
  writeConvParams(paramsPath, makeConvParams(opts.seed));
  const torch = probeTorch(opts.torchPython);
  const threads = allThreads();
  const impls = implementations(ctx, probe, torch, threads, { data: ctx.dataPath, params: paramsPath });
  const runnable = impls.filter((i) => i.result.status === 'ok');

  // The reference: dlfs's plain TypeScript float64 step on the check rows, from the shared weights.
  const data = readBenchData(ctx.dataPath);
  const checkRows = new Rng(7).choice(data.rows, CONV_CONFIG.batchSize);
  const reference = (
    await DlfsConvTrainer.create(data, readConvParams(paramsPath), { dtype: 'float64', backend: probe.switchable ? 'js' : undefined, config: CONV_CONFIG })
  ).check(checkRows);
  log(`conv: reference step (dlfs js float64): loss ${reference.loss0.toFixed(6)} → ${reference.loss1.toFixed(6)}`);
  await Promise.all(
    runnable.map(async (impl) => {
      impl.worker = impl.start();
      try {
        const r = await impl.worker.request<{ info?: unknown; skipped?: string; threads?: number }>(impl.setup);
        if (r.skipped !== undefined) {
          // dlfs started fewer threads than asked for: the row says why, and conv-threads fails with it.
          Object.assign(impl.result, { status: 'skipped', note: r.skipped, ...(r.threads === undefined ? {} : { threadsStarted: r.threads }) });
          return;
        }
        impl.result.info = r.info;
        const check = await impl.worker.request<ConvCheckResult>({ cmd: 'check', indices: [...checkRows] });
        const diff = convCheckDifference(check, reference);
        impl.result.check = { ...check, maxRelDiff: diff };
        if (!(diff <= CONV_CHECK_TOLERANCE[impl.result.dtype])) {
          throw new Error(
            `computes another step than dlfs js float64 on the same rows and weights: largest difference ${diff.toExponential(2)} ` +
              `(allowed ${CONV_CHECK_TOLERANCE[impl.result.dtype]}); loss ${check.loss0} vs ${reference.loss0}`,
          );
        }
        if (impl.result.family === 'numpy') impl.result.info = await impl.worker.request({ cmd: 'info' });
      } catch (err) {
        fail(impl, err);
      }
    }),
  );
  for (const impl of runnable) if (impl.result.status !== 'ok') await impl.worker?.close();
  // Warm-ups one at a time, so that no two implementations run at once.
  for (const impl of runnable) {
    if (impl.result.status !== 'ok') continue;
    const b = impl.result.budget;
    try {
      const w = await impl.worker!.request<RunReply>(b ? { cmd: 'warmup', minIters: b.warmupIters, minMs: 0 } : { cmd: 'warmup', ...WARMUP });
      const msPerIter = w.ms / w.iters;
      impl.result.warmup = { iters: w.iters, msPerIter };
      impl.result.totalIters = w.iters;
      impl.result.itersPerRound = b ? b.itersPerRound : itersForRound(msPerIter, opts.convRoundMs, 3);
      // The slow ones (seconds per step) take no untimed steps: a cold start is lost in their time.
      impl.result.rewarmPerRound = b ? 0 : rewarmIters(msPerIter);
      log(
        `conv warm-up  ${impl.result.label.padEnd(36)} ${w.iters} iterations, ${msPerIter.toFixed(1)} ms/iter; ` +
          `${impl.result.itersPerRound} per round after ${impl.result.rewarmPerRound} untimed`,
      );
    } catch (err) {
      fail(impl, err);
    }
  }
  // How much of both cores each round had, measured just before the all-threads row's round.
  const parallel = threads >= 2 ? await ParallelProbe.start() : undefined;
  const machine: number[] = [];
  for (let round = 0; round < opts.convRounds; round++) {
    const parts: string[] = [];
    for (const impl of rotate(runnable, round)) {
      if (impl.result.status !== 'ok' || (impl.result.budget !== undefined && round >= impl.result.budget.rounds)) continue;
      try {
        if (parallel !== undefined && impl.result.family === 'dlfs' && impl.result.threads >= 2) {
          const slowdown = await parallel.measure();
          machine.push(slowdown);
          parts.push(`(machine ${slowdown.toFixed(2)}×)`);
        }
        const ms = await timedRound(impl.worker!, impl.result);
        parts.push(`${impl.result.id} ${ms.toFixed(1)}`);
      } catch (err) {
        fail(impl, err);
      }
    }
    log(`conv round ${round + 1}/${opts.convRounds} (ms/iter): ${parts.join(', ')}`);
  }
  await parallel?.close();
  await Promise.all(runnable.map((i) => i.worker?.close()));
  for (const impl of impls) if (impl.result.status === 'ok' && impl.result.rounds.length > 0) impl.result.summary = summarize(impl.result.rounds);
  const results = impls.map((i) => i.result);
  addRatios(results);
  const torchInfo = results.find((i) => i.family === 'torch' && i.info !== undefined)?.info;
  const predict = await benchPredict(ctx);
  return {
    config: {
      network: 'SimpleConvNet: conv 30×5×5 (stride 1, pad 0) - ReLU - max-pool 2×2 - affine 100 - ReLU - affine 10 - softmax',
      batchSize: CONV_CONFIG.batchSize,
      optimizer: 'Adam',
      lr: CONV_CONFIG.lr,
      beta1: CONV_CONFIG.beta1,
      beta2: CONV_CONFIG.beta2,
      weightInitStd: 0.01,
      samples: ctx.dataRows,
      rounds: opts.convRounds,
      roundMs: opts.convRoundMs,
    },
    check: { rows: [...checkRows], reference },
    dlfsDefaultBackend: probe.default,
    allThreads: threads,
    torch: torch.ok ? { python: torch.python, torch: torch.torch, ...(torchInfo as object | undefined) } : { python: torch.python, missing: torch.reason },
    implementations: results,
    ...(parallel === undefined ? {} : { machine: probeResult(machine) }),
    predict,
  };
}
