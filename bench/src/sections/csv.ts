import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { KAGGLE_TRAIN_ROWS } from '@dlfs/datasets';
import { resampleKaggleTrain } from '@dlfs/datasets/node';
import { type BenchContext, CSV_LOADER, errorText } from '../context.js';
import { runOnce } from '../protocol.js';
import { PYTHON_WORKER } from '../python.js';
import type { CliRun, CsvSection, LoaderResult } from '../results.js';
import { ratio, rotate, summarize } from '../stats.js';

interface LoadReply {
  seconds: number;
  rows: number;
  cols: number;
  maxRssKiB: number;
}

const kibToMB = (kib: number): number => (kib * 1024) / 1e6;

/** The Kaggle-size train.csv, made once by resampleKaggleTrain and kept in the cache folder. */
async function kaggleFile(ctx: BenchContext): Promise<CsvSection['file']> {
  const rows = KAGGLE_TRAIN_ROWS;
  const path = join(ctx.opts.cacheDir, `kaggle-train-${rows}.csv`);
  const stamp = `${path}.json`;
  const want = { rows, seed: 0, generator: 'resampleKaggleTrain' };
  if (existsSync(path) && existsSync(stamp)) {
    try {
      const s = JSON.parse(readFileSync(stamp, 'utf8')) as typeof want & { bytes: number };
      if (s.rows === want.rows && s.seed === want.seed && s.bytes === statSync(path).size) return { path, rows, bytes: s.bytes, generatedNow: false };
    } catch {
      // remade below
    }
  }
  ctx.log(`writing a Kaggle-size train.csv (${rows} rows) to ${path} ...`);
  const started = performance.now();
  const r = await resampleKaggleTrain(path, rows, { seed: 0 });
  writeFileSync(stamp, `${JSON.stringify({ ...want, bytes: r.bytes })}\n`);
  return { path, rows, bytes: r.bytes, generatedNow: true, seconds: (performance.now() - started) / 1000 };
}

/** `command args` under /usr/bin/time -v: wall time and peak RSS of the whole process. */
function timeV(command: string, args: readonly string[]): Promise<{ exitCode: number; wallSeconds: number; maxRssKiB: number | undefined; output: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-v', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stdout.resume();
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-50_000)));
    child.on('error', reject);
    child.on('close', (code) => {
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
      const status = /Exit status: (\d+)/.exec(err);
      resolve({
        exitCode: status ? Number(status[1]) : (code ?? 1),
        wallSeconds: (performance.now() - started) / 1000,
        maxRssKiB: rss ? Number(rss[1]) : undefined,
        output: err,
      });
    });
  });
}

function cliBin(): string {
  const pkg = createRequire(import.meta.url).resolve('@dlfs/cli/package.json');
  return join(dirname(pkg), 'dist', 'bin.js');
}

/** `dlfs ARGS --out TMP/model.json` as a whole process under /usr/bin/time -v: wall time, peak RSS, and the CLI's last words if it fails. */
async function cliRun(ctx: BenchContext, cliArgs: readonly string[]): Promise<CliRun> {
  const bin = cliBin();
  if (!existsSync('/usr/bin/time')) return { status: 'skipped', note: '/usr/bin/time is not installed (apt-get install time)' };
  if (!existsSync(bin)) return { status: 'skipped', note: `${bin} is missing: build the CLI (pnpm build)` };
  const out = mkdtempSync(join(tmpdir(), 'dlfs-bench-'));
  const args = [bin, ...cliArgs, '--out', join(out, 'model.json')];
  const run: CliRun = { status: 'ok', command: `node ${args.join(' ')}` };
  ctx.log(`CSV: dlfs ${cliArgs.join(' ')}, under /usr/bin/time -v ...`);
  try {
    const r = await timeV(process.execPath, args);
    run.exitCode = r.exitCode;
    run.wallSeconds = r.wallSeconds;
    if (r.maxRssKiB !== undefined) run.peakRssMB = kibToMB(r.maxRssKiB);
    if (r.exitCode !== 0) {
      // The CLI's own last words come before /usr/bin/time's report.
      const said = r.output
        .split(/\n\s*Command being timed:/)[0]!
        .trim()
        .split('\n')
        .slice(-3)
        .join(' ');
      Object.assign(run, { status: 'error', note: `dlfs ${cliArgs[0]} exited with ${r.exitCode}: ${said}` });
    }
  } catch (err) {
    Object.assign(run, { status: 'error', note: errorText(err) });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return run;
}

/**
 * CSV loading of a Kaggle-size train.csv (42,000 × 785): dlfs loadCsv against
 * numpy.loadtxt(delimiter=',', skiprows=1, dtype=float32), each in a fresh process (so that
 * peak RSS is the load's), runs interleaved, with the --baseline checkout's loadCsv (run by its
 * own csv-load.js) among them when given; then the peak memory of two whole `dlfs train` runs on
 * the file: the chapter-5 network, and one epoch of SimpleConvNet.
 */
export async function benchCsv(ctx: BenchContext): Promise<CsvSection> {
  const { opts, log } = ctx;
  const file = await kaggleFile(ctx);
  log(`CSV: ${file.path} (${(file.bytes / 1e6).toFixed(1)} MB, ${file.rows} rows)`);
  const dlfs: LoaderResult = { id: 'dlfs-loadCsv', label: 'dlfs loadCsv (float32)', status: 'ok', seconds: [], processSeconds: [] };
  const numpy: LoaderResult = {
    id: 'numpy-loadtxt',
    label: "numpy.loadtxt(delimiter=',', skiprows=1, dtype=float32)",
    status: ctx.numpy.ok ? 'ok' : 'skipped',
    seconds: [],
    processSeconds: [],
    ...(ctx.numpy.ok ? {} : { note: ctx.numpy.reason }),
  };
  const base = ctx.baseline;
  const baseline: LoaderResult | undefined =
    base === undefined
      ? undefined
      : { id: 'baseline-dlfs-loadCsv', label: `dlfs loadCsv (float32), baseline ${base.revision}`, status: 'ok', seconds: [], processSeconds: [] };
  const loaders = baseline === undefined ? [dlfs, numpy] : [dlfs, baseline, numpy];
  const record = (l: LoaderResult, r: { reply: LoadReply; wallMs: number }): void => {
    l.seconds.push(r.reply.seconds);
    l.processSeconds.push(r.wallMs / 1000);
    l.peakRssMB = Math.max(l.peakRssMB ?? 0, kibToMB(r.reply.maxRssKiB));
    l.rows = r.reply.rows;
    l.cols = r.reply.cols;
    log(`CSV: ${l.id} ${r.reply.seconds.toFixed(2)} s, peak RSS ${kibToMB(r.reply.maxRssKiB).toFixed(0)} MB`);
  };
  for (let round = 0; round < opts.csvRounds; round++) {
    // Each round starts with another loader (with two: dlfs first, then NumPy first).
    for (const l of rotate(loaders, round)) {
      if (l.status !== 'ok') continue;
      try {
        if (l === dlfs) record(l, await runOnce<LoadReply>(l.label, process.execPath, [CSV_LOADER, file.path]));
        else if (l === baseline && base !== undefined) record(l, await runOnce<LoadReply>(l.label, process.execPath, [base.csvLoader, file.path]));
        else record(l, await runOnce<LoadReply>(l.label, opts.python, [PYTHON_WORKER, 'loadtxt', file.path], ctx.numpyEnv));
      } catch (err) {
        l.status = 'error';
        l.note = errorText(err);
      }
    }
  }
  for (const l of loaders) if (l.status === 'ok' && l.seconds.length > 0) l.summary = summarize(l.seconds);

  const trainRun: CsvSection['trainRun'] = {
    iters: opts.trainIters,
    ...(await cliRun(ctx, ['train', '--data', file.path, '--iters', String(opts.trainIters)])),
  };
  const convRun = await cliRun(ctx, ['train', '--data', file.path, '--spec', 'simple-convnet', '--optimizer', 'adam', '--lr', '0.001', '--epochs', '1']);
  const section: CsvSection = { file, loaders, trainRun, convRun };
  const r = ratio(dlfs.summary?.median, numpy.summary?.median);
  if (r !== undefined) section.loadRatio = r;
  const rb = ratio(dlfs.summary?.median, baseline?.summary?.median);
  if (rb !== undefined) section.baselineRatio = rb;
  return section;
}
