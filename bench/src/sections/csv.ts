import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kaggleTrainFile, kibToMB, runDlfs } from '../cli-run.js';
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

/** `dlfs ARGS --out TMP/model.json` as a whole process under /usr/bin/time -v: wall time, peak RSS, and the CLI's last words if it fails. */
async function cliRun(ctx: BenchContext, cliArgs: readonly string[]): Promise<CliRun> {
  const out = mkdtempSync(join(tmpdir(), 'dlfs-bench-'));
  try {
    const { stdout: _, ...run } = await runDlfs(ctx, [...cliArgs, '--out', join(out, 'model.json')], 'CSV');
    return run;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
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
  const file = await kaggleTrainFile(ctx);
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
