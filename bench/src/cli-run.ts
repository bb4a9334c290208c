// What the csv and conv sections share: the Kaggle-size CSV files in the cache folder, and whole
// `dlfs` processes under /usr/bin/time -v.
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { KAGGLE_TEST_HEADER, KAGGLE_TRAIN_ROWS } from '@dlfs/datasets';
import { resampleKaggleTrain } from '@dlfs/datasets/node';
import { type BenchContext, errorText } from './context.js';
import type { CliRun } from './results.js';

export const kibToMB = (kib: number): number => (kib * 1024) / 1e6;

/** Rows of Kaggle's digit-recognizer test.csv. */
export const KAGGLE_TEST_ROWS = 28_000;

export interface CacheFile {
  path: string;
  rows: number;
  bytes: number;
  generatedNow: boolean;
  seconds?: number;
}

/** A file in the cache folder made by `make` unless its stamp (`path`.json) says it is there as `want` describes it. */
async function cached(
  path: string,
  want: Record<string, unknown>,
  make: () => Promise<number>,
): Promise<{ bytes: number; generatedNow: boolean; seconds?: number }> {
  const stamp = `${path}.json`;
  if (existsSync(path) && existsSync(stamp)) {
    try {
      const s = JSON.parse(readFileSync(stamp, 'utf8')) as Record<string, unknown> & { bytes: number };
      if (Object.entries(want).every(([k, v]) => s[k] === v) && s.bytes === statSync(path).size) return { bytes: s.bytes, generatedNow: false };
    } catch {
      // remade below
    }
  }
  const started = performance.now();
  const bytes = await make();
  writeFileSync(stamp, `${JSON.stringify({ ...want, bytes })}\n`);
  return { bytes, generatedNow: true, seconds: (performance.now() - started) / 1000 };
}

/** The Kaggle-size train.csv (42,000 rows), made once by resampleKaggleTrain and kept in the cache folder. */
export async function kaggleTrainFile(ctx: BenchContext): Promise<CacheFile> {
  const rows = KAGGLE_TRAIN_ROWS;
  const path = join(ctx.opts.cacheDir, `kaggle-train-${rows}.csv`);
  const file = await cached(path, { rows, seed: 0, generator: 'resampleKaggleTrain' }, async () => {
    ctx.log(`writing a Kaggle-size train.csv (${rows} rows) to ${path} ...`);
    return (await resampleKaggleTrain(path, rows, { seed: 0 })).bytes;
  });
  return { path, rows, ...file };
}

/**
 * A Kaggle-size test.csv (28,000 rows of pixel0..pixel783, no label), made once from the first
 * 28,000 rows of the Kaggle-size train.csv without their label column.
 */
export async function kaggleTestFile(ctx: BenchContext, train: CacheFile): Promise<CacheFile> {
  const rows = KAGGLE_TEST_ROWS;
  const path = join(ctx.opts.cacheDir, `kaggle-test-${rows}.csv`);
  const file = await cached(path, { rows, from: train.path, fromBytes: train.bytes }, async () => {
    ctx.log(`writing a Kaggle-size test.csv (${rows} rows, the first of ${train.path} without labels) to ${path} ...`);
    const tmp = `${path}.tmp`;
    const out = createWriteStream(tmp);
    const lines = createInterface({ input: createReadStream(train.path), crlfDelay: Number.POSITIVE_INFINITY });
    let n = -1;
    let ok = true;
    for await (const line of lines) {
      if (n >= rows) break;
      const text = n < 0 ? KAGGLE_TEST_HEADER : line.slice(line.indexOf(',') + 1);
      ok = out.write(`${text}\n`);
      if (!ok) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      n++;
    }
    lines.close();
    out.end();
    await finished(out);
    if (n < rows) throw new Error(`${train.path} has ${n} data rows, fewer than the ${rows} a test file needs`);
    renameSync(tmp, path);
    return statSync(path).size;
  });
  return { path, rows, ...file };
}

/** `command args` under /usr/bin/time -v: wall time and peak RSS of the whole process, its stdout, and its stderr with time's report. */
export function timeV(
  command: string,
  args: readonly string[],
): Promise<{ exitCode: number; wallSeconds: number; maxRssKiB: number | undefined; output: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-v', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-50_000)));
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
        stdout: out,
      });
    });
  });
}

/**
 * What a failed process said, from its stderr with /usr/bin/time's report after it: the last
 * line that names an error (a crash's "Error: ..." comes before its stack), else its last 3
 * lines; without the stack frames, Node's version line and time's "Command exited with
 * non-zero status", which say nothing of the cause.
 */
export function lastWords(stderr: string): string {
  const lines = stderr
    .split(/\n\s*Command being timed:/)[0]!
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^at /.test(l) && !/^Node\.js v\d/.test(l) && !/^Command exited with non-zero status/.test(l));
  for (let i = lines.length - 1; i >= 0; i--) if (/^(\w*Error\b|error:)/i.test(lines[i]!)) return lines[i]!;
  return lines.slice(-3).join(' ');
}

/** The built CLI, apps/cli/dist/bin.js. */
export function cliBin(): string {
  const pkg = createRequire(import.meta.url).resolve('@dlfs/cli/package.json');
  return join(dirname(pkg), 'dist', 'bin.js');
}

/** Why a `dlfs` process cannot be measured here, or undefined when it can. */
export function cliMissing(): string | undefined {
  if (!existsSync('/usr/bin/time')) return '/usr/bin/time is not installed (apt-get install time)';
  const bin = cliBin();
  if (!existsSync(bin)) return `${bin} is missing: build the CLI (pnpm build)`;
  return undefined;
}

/**
 * `node apps/cli/dist/bin.js ARGS` as a whole process under /usr/bin/time -v: wall time, peak
 * RSS, stdout, and the CLI's last words if it fails. `what` starts the progress line.
 */
export async function runDlfs(ctx: BenchContext, cliArgs: readonly string[], what: string): Promise<CliRun & { stdout?: string }> {
  const missing = cliMissing();
  if (missing !== undefined) return { status: 'skipped', note: missing };
  const args = [cliBin(), ...cliArgs];
  const run: CliRun & { stdout?: string } = { status: 'ok', command: `node ${args.join(' ')}` };
  ctx.log(`${what}: dlfs ${cliArgs.join(' ')}, under /usr/bin/time -v ...`);
  try {
    const r = await timeV(process.execPath, args);
    run.exitCode = r.exitCode;
    run.wallSeconds = r.wallSeconds;
    run.stdout = r.stdout;
    if (r.maxRssKiB !== undefined) run.peakRssMB = kibToMB(r.maxRssKiB);
    if (r.exitCode !== 0) {
      Object.assign(run, { status: 'error', note: `dlfs ${cliArgs[0]} exited with ${r.exitCode}: ${lastWords(r.output)}` });
    }
  } catch (err) {
    Object.assign(run, { status: 'error', note: errorText(err) });
  }
  return run;
}
