// `pnpm bench`: dlfs against NumPy and TensorFlow.js. Prints tables and PASS/FAIL verdicts and
// writes bench/results/latest.json. Exits 0 when everything was measured, whatever the verdicts;
// 1 when an implementation could not be measured; 2 for bad flags.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeBenchData, writeBenchData } from './bench-data.js';
import { type Baseline, type BenchContext, errorText, openBaseline } from './context.js';
import { machineInfo } from './machine.js';
import { type Options, parseOptions, UsageError, USAGE } from './options.js';
import { WorkerProcess } from './protocol.js';
import { numpyEnv, probeNumpy, PYTHON_WORKER } from './python.js';
import {
  computeVerdicts,
  convTable,
  csvTable,
  describeTorch,
  fmt,
  formatVerdicts,
  gradcheckTable,
  type MedianMin,
  machineLine,
  predictLine,
  trainTable,
  type VerdictInput,
} from './report.js';
import type { BenchResults } from './results.js';
import { benchConv } from './sections/conv.js';
import { benchCsv } from './sections/csv.js';
import { benchGradcheck } from './sections/gradcheck.js';
import { benchTrain } from './sections/train.js';
import { allThreads } from './impl/threads.js';

const benchRoot = fileURLToPath(new URL('..', import.meta.url));

/** Runs `parse`, turning a UsageError into its message and exit code 2. */
function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

function options(): Options {
  // Relative paths (--baseline) start where `pnpm bench` was typed, which pnpm passes as INIT_CWD.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  return usage(() =>
    parseOptions(process.argv.slice(2), {
      out: join(benchRoot, 'results', 'latest.json'),
      cacheDir: join(benchRoot, '.cache'),
      python: process.env.PYTHON,
      torchPython: process.env.TORCH_PYTHON,
      cwd,
    }),
  );
}

async function numpyInfo(ctx: BenchContext): Promise<unknown> {
  const w = new WorkerProcess('NumPy info', ctx.opts.python, [PYTHON_WORKER], ctx.numpyEnv);
  try {
    return await w.request({ cmd: 'info' });
  } finally {
    await w.close();
  }
}

function describeNumpy(info: unknown): string {
  const i = info as { numpy?: string; blasBuild?: { name?: string; version?: string }; blasRuntime?: { coretype?: string; threads?: number } } | undefined;
  if (i?.numpy === undefined) return 'NumPy: not available';
  const b = i.blasBuild;
  const rt = i.blasRuntime;
  return (
    `NumPy ${i.numpy} (${b?.name ?? 'BLAS'} ` +
    `${b?.version ?? ''}${rt?.coretype ? `, kernel ${rt.coretype}` : ''}${rt?.threads ? `, ${rt.threads} BLAS thread${rt.threads === 1 ? '' : 's'}` : ''})`
  );
}

async function main(): Promise<number> {
  const opts = options();
  if (opts.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const dir = opts.baseline;
  const baseline: Baseline | undefined = dir === undefined ? undefined : usage(() => openBaseline(dir, opts.only));
  const startedAt = new Date().toISOString();
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const notes: string[] = [];
  const machine = machineInfo();
  const numpy = probeNumpy(opts.python);
  const { env, unset } = numpyEnv(process.env, opts.numpyThreads);
  machine.numpyEnvUnset = unset;
  if (Object.keys(unset).length > 0) {
    notes.push(
      `Unset in the NumPy children only: ${Object.entries(unset)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')} (they slow a current NumPy); the kernel it ran is in machine.numpy.blasRuntime.`,
    );
  }
  if (!numpy.ok) notes.push(`NumPy parts skipped: ${numpy.reason}.`);

  const dataPath = join(opts.cacheDir, 'bench-data.bin');
  log(`writing the benchmark data (the bundled MNIST sample, 0..1 pixels, and initial weights) to ${dataPath}`);
  const data = makeBenchData({ seed: opts.seed });
  writeBenchData(dataPath, data);
  const ctx: BenchContext = {
    opts,
    dataPath,
    dataRows: data.rows,
    numpy,
    numpyEnv: env,
    numpyEnvDefaultThreads: numpyEnv().env,
    log,
    notes,
    ...(baseline ? { baseline } : {}),
  };
  if (baseline) {
    log(`baseline: ${baseline.revision} at ${baseline.dir}`);
    notes.push(
      `Baseline rows run ${baseline.dir}'s own bench/dist/worker.js and csv-load.js, so its bench/src/impl as well as its packages: a change to the ` +
        `bench's own step code shows in the comparison too.`,
    );
  }
  if (numpy.ok) {
    try {
      machine.numpy = await numpyInfo(ctx);
    } catch (err) {
      notes.push(`NumPy info failed: ${errorText(err)}`);
    }
  }
  log(`${String(machine.cpu)}, ${String(machine.cores)} cores, Node ${process.version}, ${describeNumpy(machine.numpy)}`);

  const results: BenchResults = {
    schema: 'dlfs-bench/1',
    startedAt,
    finishedAt: '',
    command: `pnpm bench ${process.argv.slice(2).join(' ')}`.trim(),
    sections: opts.only,
    machine,
    ...(baseline ? { baseline: { dir: baseline.dir, revision: baseline.revision, ...(baseline.commit ? { commit: baseline.commit } : {}) } } : {}),
    verdicts: [],
    notes,
  };
  let crashed = false;
  const section = async <T>(name: string, run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run();
    } catch (err) {
      crashed = true;
      notes.push(`The ${name} section failed: ${errorText(err)}`);
      log(`${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return undefined;
    }
  };
  if (opts.only.includes('train')) results.train = await section('train', () => benchTrain(ctx));
  if (opts.only.includes('csv')) results.csv = await section('csv', () => benchCsv(ctx));
  if (opts.only.includes('gradcheck')) results.gradcheck = await section('gradcheck', () => benchGradcheck(ctx));
  if (opts.only.includes('conv')) results.conv = await section('conv', () => benchConv(ctx));
  machine.loadAverageAtEnd = os.loadavg().map((v) => Math.round(v * 100) / 100);

  const input: VerdictInput = {};
  if (results.train) {
    const m = (id: string): number | undefined => results.train!.implementations.find((i) => i.id === id)?.summary?.median;
    const def = results.train.dlfsDefaultBackend;
    input.train = {
      defaultBackend: def,
      dlfsDefault: m(`dlfs-${def}-f32`),
      dlfsJs: m('dlfs-js-f32'),
      dlfsMt: m(`dlfs-${def}-f32-mt`),
      allThreads: allThreads(),
      numpyF64: m('numpy-f64'),
      numpyF32: m('numpy-f32'),
      tfjsWasm: m('tfjs-wasm'),
    };
  }
  if (results.csv) {
    const l = (id: string) => results.csv!.loaders.find((x) => x.id === id);
    input.csv = {
      dlfsSeconds: l('dlfs-loadCsv')?.summary?.median,
      numpySeconds: l('numpy-loadtxt')?.summary?.median,
      dlfsPeakRssMB: l('dlfs-loadCsv')?.peakRssMB,
      trainPeakRssMB: results.csv.trainRun.peakRssMB,
      trainIters: results.csv.trainRun.iters,
      convPeakRssMB: results.csv.convRun?.peakRssMB,
      convMeasured: results.csv.convRun !== undefined && results.csv.convRun.status !== 'skipped',
    };
  }
  if (baseline) {
    input.baseline = { revision: baseline.revision };
    const t = results.train;
    if (t) {
      const s = (id: string): MedianMin | undefined => t.implementations.find((i) => i.id === id)?.summary;
      const def = t.dlfsDefaultBackend;
      const baseDef = t.baselineDefaultBackend;
      input.baseline.train = {
        defaultBackend: def,
        ...(baseDef === undefined ? {} : { baselineDefaultBackend: baseDef }),
        dlfsDefault: s(`dlfs-${def}-f32`),
        baselineDefault: baseDef === undefined ? undefined : s(`baseline-dlfs-${baseDef}-f32`),
        dlfsJs: s('dlfs-js-f32'),
        baselineJs: s('baseline-dlfs-js-f32'),
      };
    }
    const c = results.csv;
    if (c) {
      const s = (id: string): MedianMin | undefined => c.loaders.find((l) => l.id === id)?.summary;
      input.baseline.csv = { dlfs: s('dlfs-loadCsv'), baseline: s('baseline-dlfs-loadCsv') };
    }
  }
  if (results.gradcheck) {
    input.gradcheck = { samples: results.gradcheck.samples, dlfsSeconds: results.gradcheck.implementations.find((i) => i.id === 'dlfs')?.summary?.median };
  }
  if (results.conv) {
    const c = results.conv;
    const row = (suffix: string) => c.implementations.find((i) => i.id === `dlfs-${c.dlfsDefaultBackend}-f32-${suffix}`);
    const m = (id: string): number | undefined => c.implementations.find((i) => i.id === id)?.summary?.median;
    const mt = row('mt');
    input.conv = {
      defaultBackend: c.dlfsDefaultBackend,
      dlfs1t: row('1t')?.summary?.median,
      dlfsMt: mt?.summary?.median,
      ...(mt?.threadsStarted !== undefined && mt.note ? { dlfsMtNotStarted: mt.note } : {}),
      allThreads: c.allThreads,
      numpyF32: m('numpy-f32'),
      numpyF64: m('numpy-f64'),
      ...(c.machine?.summary === undefined ? {} : { machine: c.machine.summary.median }),
    };
  }
  results.verdicts = computeVerdicts(input);
  results.finishedAt = new Date().toISOString();

  const errors: string[] = [];
  // A skip for a reason already noted (NumPy missing) is not repeated per row.
  const note = (list: string[], what: string, why: string | undefined, status: string): void => {
    if (list === notes && why !== undefined && notes.some((n) => n.includes(why))) return;
    list.push(why?.startsWith(`${what}: `) ? why : `${what}: ${why ?? status}`);
  };
  const out: string[] = [''];
  const load = machine.loadAverageAtStart as number[];
  const loadEnd = machine.loadAverageAtEnd as number[];
  out.push(`dlfs bench, ${results.finishedAt}`);
  out.push(`machine: ${String(machine.cpu)}, ${String(machine.cores)} cores, Node ${process.version}, ${describeNumpy(machine.numpy)}`);
  out.push(`load average (1 min) ${fmt(load[0])} at start, ${fmt(loadEnd[0])} at end: on a shared machine the numbers are noisy; compare ratios from one run.`);
  if (baseline) out.push(`baseline: ${baseline.revision} (${baseline.dir}), measured in this run, interleaved with the others`);
  if (results.train) {
    const t = results.train;
    out.push(
      '',
      `Training step: batch ${t.config.batchSize}, ${t.config.layers.join('-')}, weight std ${t.config.weightInitStd}, SGD lr ${t.config.lr}, ` +
        `${t.config.samples} MNIST digits`,
    );
    out.push(
      `(sample with replacement + gather + forward + backward + update; ${t.config.rounds} interleaved round${t.config.rounds === 1 ? '' : 's'}, one ` +
        `process per implementation; min/max over rounds)`,
    );
    out.push(trainTable(t));
    for (const i of t.implementations) if (i.status !== 'ok') note(i.status === 'error' ? errors : notes, i.label, i.note, i.status);
  }
  if (results.csv) {
    const c = results.csv;
    out.push(
      '',
      `CSV loading: ${c.file.rows} × 785 Kaggle-format train.csv, ${fmt(c.file.bytes / 1e6, 3)} MB (fresh process per load; peak RSS of the whole process)`,
    );
    out.push(csvTable(c));
    for (const l of c.loaders) if (l.status !== 'ok') note(l.status === 'error' ? errors : notes, l.label, l.note, l.status);
    if (c.trainRun.status !== 'ok') note(c.trainRun.status === 'error' ? errors : notes, 'dlfs train run', c.trainRun.note, c.trainRun.status);
    if (c.convRun && c.convRun.status !== 'ok')
      note(c.convRun.status === 'error' ? errors : notes, 'dlfs train --spec simple-convnet run', c.convRun.note, c.convRun.status);
  }
  if (results.gradcheck) {
    const g = results.gradcheck;
    out.push('', `Gradient check: ${g.network}, ${g.samples} samples, same weights (mean |backprop − numerical| per parameter)`);
    out.push(gradcheckTable(g));
    for (const i of g.implementations) if (i.status !== 'ok') note(i.status === 'error' ? errors : notes, i.label, i.note, i.status);
  }
  if (results.conv) {
    const c = results.conv;
    out.push(
      '',
      `SimpleConvNet training step (7.5): batch ${c.config.batchSize}, conv 30×5×5 - ReLU - pool 2 - affine 100 - ReLU - affine 10, ` +
        `Adam lr ${c.config.lr} (β1 ${c.config.beta1}, β2 ${c.config.beta2}), weight std ${c.config.weightInitStd}, ${c.config.samples} MNIST digits`,
      `(sample with replacement + gather + forward + backward + Adam; up to ${c.config.rounds} interleaved ` +
        `round${c.config.rounds === 1 ? '' : 's'}, one process per implementation, the same initial weights; min/max over rounds)`,
      `PyTorch: ${describeTorch(c.torch)}`,
    );
    out.push(convTable(c));
    const machine = machineLine(c);
    if (machine !== undefined) out.push(machine);
    const p = predictLine(c);
    if (p !== undefined) out.push(p);
    for (const i of c.implementations) if (i.status !== 'ok') note(i.status === 'error' ? errors : notes, i.label, i.note, i.status);
    if (c.predict && c.predict.status !== 'ok') note(c.predict.status === 'error' ? errors : notes, 'dlfs predict', c.predict.note, c.predict.status);
  }
  out.push('', 'Verdicts (from ratios measured in this run):', formatVerdicts(results.verdicts));
  if (errors.length > 0) out.push('', 'Errors:', ...errors.map((e) => `  ${e.split('\n')[0]}`));
  if (notes.length > 0) out.push('', 'Notes:', ...notes.map((n) => `  ${n.split('\n')[0]}`));
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, `${JSON.stringify({ ...results, errors }, null, 2)}\n`);
  out.push('', `results: ${opts.out}`, '');
  process.stdout.write(out.join('\n'));
  return crashed || errors.length > 0 ? 1 : 0;
}

process.exitCode = await main();
