import { type Baseline, type BenchContext, errorText, NODE_WORKER } from '../context.js';
import { Rng } from '@dlfs/tensor';
import { readBenchData } from '../bench-data.js';
import { DlfsTrainer } from '../impl/dlfs.js';
import { allThreads } from '../impl/threads.js';
import { CHECK_TOLERANCE, type CheckResult, checkDifference, TRAIN_CONFIG } from '../impl/trainer.js';
import type { BackendProbe } from '../impl/dlfs-backend.js';
import { type RunReply, timedRound, WorkerProcess } from '../protocol.js';
import { PYTHON_WORKER } from '../python.js';
import { addRatios } from '../report.js';
import type { TrainImplResult, TrainSection } from '../results.js';
import { itersForRound, rewarmIters, rotate, summarize } from '../stats.js';

interface Impl {
  result: TrainImplResult;
  start(): WorkerProcess;
  setup: Record<string, unknown>;
  worker?: WorkerProcess;
}

/** What the --baseline checkout's own worker says its dlfs offers, or why it could not say. */
type BaselineProbe = { ok: true; probe: BackendProbe } | { ok: false; reason: string };

const short = (dtype: 'float32' | 'float64'): string => (dtype === 'float32' ? 'f32' : 'f64');

/** Every backend a probe found, its default first, each in float32 and float64. */
function backendRows(probe: BackendProbe): { backend: string; dtype: 'float32' | 'float64'; isDefault: boolean }[] {
  const backends = [probe.default, ...probe.available.filter((b) => b !== probe.default)];
  return backends.flatMap((backend) => (['float32', 'float64'] as const).map((dtype) => ({ backend, dtype, isDefault: backend === probe.default })));
}

function implementations(ctx: BenchContext, probe: BackendProbe, baselineProbe: BaselineProbe | undefined): Impl[] {
  const node = (label: string): WorkerProcess => new WorkerProcess(label, process.execPath, [NODE_WORKER]);
  const common = { cmd: 'setup', data: ctx.dataPath, config: TRAIN_CONFIG };
  const impls: Impl[] = [];
  for (const { backend, dtype, isDefault } of backendRows(probe)) {
    const label = `dlfs ${backend} ${dtype}${isDefault ? ' (default backend)' : ''}`;
    impls.push({
      result: { id: `dlfs-${backend}-${short(dtype)}`, label, family: 'dlfs', backend, dtype, status: 'ok', rounds: [] },
      start: () => node(label),
      setup: { ...common, impl: 'dlfs', backend: probe.switchable ? backend : undefined, dtype },
    });
    // The default float32 row again on all threads: threads must never make the step slower.
    if (isDefault && dtype === 'float32') {
      const threads = allThreads();
      const mtLabel = `dlfs ${backend} float32, all threads (${threads})`;
      const result: TrainImplResult = { id: `dlfs-${backend}-f32-mt`, label: mtLabel, family: 'dlfs', backend, dtype, status: 'ok', rounds: [] };
      if (threads < 2) Object.assign(result, { status: 'skipped', note: 'this machine has 1 core' });
      impls.push({ result, start: () => node(mtLabel), setup: { ...common, impl: 'dlfs', backend: probe.switchable ? backend : undefined, dtype, threads } });
    }
  }
  const base = ctx.baseline;
  if (base !== undefined && baselineProbe !== undefined) {
    // The baseline's own worker (same protocol) loads the baseline's node_modules, hence its dlfs.
    const start = (label: string): WorkerProcess => new WorkerProcess(label, process.execPath, [base.worker]);
    if (baselineProbe.ok) {
      const p = baselineProbe.probe;
      for (const { backend, dtype } of backendRows(p)) {
        const label = `dlfs ${backend} ${dtype}, baseline ${base.revision}`;
        impls.push({
          result: { id: `baseline-dlfs-${backend}-${short(dtype)}`, label, family: 'baseline', backend, dtype, status: 'ok', rounds: [] },
          start: () => start(label),
          setup: { ...common, impl: 'dlfs', backend: p.switchable ? backend : undefined, dtype },
        });
      }
    } else {
      const label = `dlfs, baseline ${base.revision}`;
      impls.push({
        result: {
          id: 'baseline-dlfs',
          label,
          family: 'baseline',
          backend: 'unknown',
          dtype: 'float32',
          status: 'error',
          note: baselineProbe.reason,
          rounds: [],
        },
        start: () => start(label),
        setup: {},
      });
    }
  }
  const threads = ctx.opts.numpyThreads;
  const numpyRows = [
    { suffix: '', env: ctx.numpyEnv, what: `${threads} BLAS thread${threads === 1 ? '' : 's'}` },
    { suffix: '-mt', env: ctx.numpyEnvDefaultThreads, what: 'BLAS default threads' },
  ];
  for (const { suffix, env, what } of numpyRows) {
    for (const dtype of ['float64', 'float32'] as const) {
      const label = `NumPy ${dtype} (${what})`;
      const result: TrainImplResult = { id: `numpy-${short(dtype)}${suffix}`, label, family: 'numpy', backend: 'numpy', dtype, status: 'ok', rounds: [] };
      if (!ctx.numpy.ok) Object.assign(result, { status: 'skipped', note: ctx.numpy.reason });
      impls.push({
        result,
        start: () => new WorkerProcess(label, ctx.opts.python, [PYTHON_WORKER], env),
        setup: { cmd: 'setup', data: ctx.dataPath, dtype, seed: TRAIN_CONFIG.seed, batchSize: TRAIN_CONFIG.batchSize, lr: TRAIN_CONFIG.lr },
      });
    }
  }
  for (const backend of ['cpu', 'wasm'] as const) {
    const label = `TF.js 4.22 ${backend} float32`;
    impls.push({
      result: { id: `tfjs-${backend}`, label, family: 'tfjs', backend, dtype: 'float32', status: 'ok', rounds: [] },
      start: () => node(label),
      setup: { ...common, impl: 'tfjs', backend },
    });
  }
  const only = ctx.opts.impl;
  return only === undefined ? impls : impls.filter((i) => only.some((p) => matchesImpl(i.result.id, p)));
}

/** `--impl dlfs` takes every dlfs row; `--impl numpy-f64` takes numpy-f64 and numpy-f64-mt; `tfjs-w` matches nothing. */
export function matchesImpl(id: string, pattern: string): boolean {
  return id === pattern || id.startsWith(`${pattern}-`) || (pattern.endsWith('-') && id.startsWith(pattern));
}

async function probeBaseline(ctx: BenchContext, base: Baseline): Promise<BaselineProbe> {
  const prober = new WorkerProcess(`baseline ${base.revision} backend probe`, process.execPath, [base.worker]);
  try {
    const probe = await prober.request<BackendProbe>({ cmd: 'probe' });
    ctx.log(`baseline ${base.revision} (${base.dir}) dlfs backends: ${probe.available.join(', ')} (default ${probe.default})`);
    return { ok: true, probe };
  } catch (err) {
    return {
      ok: false,
      reason: `${base.worker} did not say which backends its dlfs has (${errorText(err)}); is ${base.dir} built? (pnpm install && pnpm build there)`,
    };
  } finally {
    await prober.close();
  }
}

function fail(impl: Impl, err: unknown): void {
  impl.result.status = 'error';
  impl.result.note = errorText(err);
}

/**
 * The chapter-5 training step, one process per implementation, interleaved: after every
 * implementation has warmed up, each round runs every implementation once, one at a time
 * (the others wait idle), starting with a different one each round.
 */
export async function benchTrain(ctx: BenchContext): Promise<TrainSection> {
  const { opts, log } = ctx;
  const prober = new WorkerProcess('dlfs backend probe', process.execPath, [NODE_WORKER]);
  let probe: BackendProbe;
  try {
    probe = await prober.request<BackendProbe>({ cmd: 'probe' });
  } finally {
    await prober.close();
  }
  log(`dlfs backends: ${probe.available.join(', ')} (default ${probe.default})${probe.switchable ? '' : '; @dlfs/tensor has no setBackend yet'}`);
  if (!probe.switchable) ctx.notes.push("@dlfs/tensor exports no setBackend/getBackend: only its plain TypeScript ('js') kernels were measured.");
  const baselineProbe = ctx.baseline === undefined ? undefined : await probeBaseline(ctx, ctx.baseline);

  const impls = implementations(ctx, probe, baselineProbe);
  const runnable = impls.filter((i) => i.result.status === 'ok');
  // Before anything is timed, every implementation takes one step on the same rows, and must
  // agree with dlfs's plain TypeScript float64 step: a row that computes something else is no comparison.
  const data = readBenchData(ctx.dataPath);
  const checkRows = new Rng(7).choice(data.rows, TRAIN_CONFIG.batchSize);
  const reference = (await DlfsTrainer.create(data, { dtype: 'float64', backend: probe.switchable ? 'js' : undefined, config: TRAIN_CONFIG })).check(checkRows);
  // Start-up and data loading overlap; nothing is timed yet.
  await Promise.all(
    runnable.map(async (impl) => {
      impl.worker = impl.start();
      try {
        const r = await impl.worker.request<{ info?: unknown; skipped?: string }>(impl.setup);
        if (r.skipped !== undefined) throw new Error(r.skipped);
        impl.result.info = r.info;
        const check = await impl.worker.request<CheckResult>({ cmd: 'check', indices: [...checkRows] });
        const diff = checkDifference(check, reference);
        impl.result.check = { ...check, maxRelDiff: diff };
        if (!(diff <= CHECK_TOLERANCE[impl.result.dtype])) {
          throw new Error(
            `computes another step than dlfs js float64 on the same rows and weights: largest relative difference ${diff.toExponential(2)} ` +
              `(allowed ${CHECK_TOLERANCE[impl.result.dtype]}); loss ${check.loss0} vs ${reference.loss0}`,
          );
        }
        if (impl.result.family === 'numpy') {
          impl.result.info = await impl.worker.request({ cmd: 'info' });
          const threads = (impl.result.info as { blasRuntime?: { threads?: unknown } }).blasRuntime?.threads;
          if (impl.result.id.endsWith('-mt') && typeof threads === 'number')
            impl.result.label = `NumPy ${impl.result.dtype} (${threads} BLAS threads, its default)`;
        }
      } catch (err) {
        fail(impl, err);
      }
    }),
  );
  // Warm-ups one at a time, so that no two implementations run at once.
  for (const impl of runnable) {
    if (impl.result.status !== 'ok') continue;
    try {
      const w = await impl.worker!.request<RunReply>({ cmd: 'warmup', minIters: opts.warmupIters, minMs: opts.warmupMs });
      const msPerIter = w.ms / w.iters;
      impl.result.warmup = { iters: w.iters, msPerIter };
      impl.result.totalIters = w.iters;
      impl.result.itersPerRound = opts.iters ?? itersForRound(msPerIter, opts.roundMs);
      impl.result.rewarmPerRound = rewarmIters(msPerIter);
      log(
        `warm-up  ${impl.result.label.padEnd(30)} ${w.iters} iterations, ${msPerIter.toFixed(3)} ms/iter; ` +
          `${impl.result.itersPerRound} per round after ${impl.result.rewarmPerRound} untimed`,
      );
    } catch (err) {
      fail(impl, err);
    }
  }
  for (let round = 0; round < opts.rounds; round++) {
    const parts: string[] = [];
    for (const impl of rotate(runnable, round)) {
      if (impl.result.status !== 'ok') continue;
      try {
        const ms = await timedRound(impl.worker!, impl.result);
        parts.push(`${impl.result.id} ${ms.toFixed(3)}`);
      } catch (err) {
        fail(impl, err);
      }
    }
    log(`round ${round + 1}/${opts.rounds} (ms/iter): ${parts.join(', ')}`);
  }
  await Promise.all(runnable.map((i) => i.worker?.close()));
  for (const impl of impls) {
    if (impl.result.status === 'ok' && impl.result.rounds.length > 0) impl.result.summary = summarize(impl.result.rounds);
  }
  const results = impls.map((i) => i.result);
  addRatios(results);
  return {
    check: { rows: [...checkRows], reference },
    config: {
      batchSize: TRAIN_CONFIG.batchSize,
      layers: [784, 50, 10],
      weightInitStd: 0.01,
      optimizer: 'SGD',
      lr: TRAIN_CONFIG.lr,
      samples: ctx.dataRows,
      rounds: opts.rounds,
    },
    dlfsDefaultBackend: probe.default,
    dlfsBackends: probe.available,
    ...(baselineProbe?.ok ? { baselineDefaultBackend: baselineProbe.probe.default, baselineBackends: baselineProbe.probe.available } : {}),
    implementations: results,
  };
}
