import type { ConvSection, CsvSection, GradcheckSection, Status, TrainSection, Verdict, VerdictStatus } from './results.js';
import { ratio, type Summary } from './stats.js';

/**
 * How much slower than the --baseline checkout still counts as "no slower": medians of
 * interleaved rounds on a shared 2-core machine move by a few percent from run to run, so a
 * limit of exactly 1× would fail on noise about half the time when nothing changed.
 */
export const BASELINE_TOLERANCE = 1.05;
const allowance = `${Math.round((BASELINE_TOLERANCE - 1) * 100)}%`;

/** A plain-text table: the first column left-aligned, the rest right-aligned. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(headers.map((_, i) => r[i] ?? '')))].join('\n');
}

/** A number with `digits` significant figures at most, never in exponent form for the sizes shown here. */
export function fmt(v: number | undefined, digits = 3): string {
  if (v === undefined || !Number.isFinite(v)) return '-';
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(Math.max(0, digits - 2));
  if (a >= 1) return v.toFixed(Math.max(0, digits - 1));
  if (a === 0) return '0';
  return v.toFixed(Math.min(6, digits - 1 - Math.floor(Math.log10(a))));
}

export function fmtRatio(v: number | undefined): string {
  return v === undefined ? '-' : `${fmt(v, 3)}×`;
}

/** What addRatios reads and fills in: a training row of the train or conv section. */
interface Ratioed {
  id: string;
  family: string;
  summary?: Summary;
  vsNumpyF64?: number;
  vsNumpyF32?: number;
  vsBaseline?: number;
}

/**
 * Fills in each implementation's ratios against NumPy float64 and float32 (the rows with ids
 * `numpy-f64` and `numpy-f32`), and each dlfs row's against the baseline row of the same backend
 * and dtype (`dlfs-wasm-f32` / `baseline-dlfs-wasm-f32`).
 */
export function addRatios(impls: Ratioed[]): void {
  const median = (id: string): number | undefined => impls.find((i) => i.id === id)?.summary?.median;
  const np64 = median('numpy-f64');
  const np32 = median('numpy-f32');
  for (const i of impls) {
    const m = i.summary?.median;
    const r64 = ratio(m, np64);
    const r32 = ratio(m, np32);
    if (r64 !== undefined) i.vsNumpyF64 = r64;
    if (r32 !== undefined) i.vsNumpyF32 = r32;
    const rb = i.family === 'dlfs' ? ratio(m, median(`baseline-${i.id}`)) : undefined;
    if (rb !== undefined) i.vsBaseline = rb;
  }
}

/** The training table; with --baseline rows, a last column compares each dlfs row with its baseline row. */
export function trainTable(section: TrainSection): string {
  const withBaseline = section.implementations.some((i) => i.family === 'baseline');
  const rows = section.implementations.map((i) => {
    const cells =
      i.status === 'ok' && i.summary
        ? [
            i.label,
            String(i.itersPerRound ?? '-'),
            fmt(i.summary.median),
            fmt(i.summary.min),
            fmt(i.summary.max),
            fmtRatio(i.vsNumpyF64),
            fmtRatio(i.vsNumpyF32),
          ]
        : [i.label, i.status === 'skipped' ? 'skipped' : 'ERROR', '', '', '', '', ''];
    return withBaseline ? [...cells, i.family === 'dlfs' && i.status === 'ok' ? fmtRatio(i.vsBaseline) : ''] : cells;
  });
  const headers = ['implementation', 'iters/round', 'median ms/iter', 'min', 'max', '× NumPy f64', '× NumPy f32'];
  return formatTable(withBaseline ? [...headers, '× baseline'] : headers, rows);
}

/**
 * What a row that was not measured says in its table line instead of figures: a row that
 * cannot train says so as it is; a skipped row says why; a failed one, the first line of its error.
 */
export function unmeasured(status: Status, note: string | undefined): string {
  const first = (note ?? '').split('\n')[0]!.trim();
  const short = first.length > 110 ? `${first.slice(0, 107)}...` : first;
  if (status === 'skipped') return short.startsWith('cannot train') ? short : `skipped${short ? `: ${short}` : ''}`;
  return `ERROR${short ? `: ${short}` : ''}`;
}

/**
 * The SimpleConvNet table: median, min and max ms per iteration over the rounds, the ratios to
 * NumPy float32 and float64, and how many rounds of how many iterations each row ran. A row
 * that was not measured shows why across the figures' columns.
 */
export function convTable(section: ConvSection): string {
  const headers = ['implementation', 'median ms/iter', 'min', 'max', '× NumPy f32', '× NumPy f64', 'rounds', 'iters/round'];
  const measured = (i: ConvSection['implementations'][number]): boolean => i.status === 'ok' && i.summary !== undefined;
  const rows = section.implementations.map((i) =>
    measured(i)
      ? [
          i.label,
          fmt(i.summary!.median),
          fmt(i.summary!.min),
          fmt(i.summary!.max),
          fmtRatio(i.vsNumpyF32),
          fmtRatio(i.vsNumpyF64),
          String(i.summary!.n),
          String(i.itersPerRound ?? '-'),
        ]
      : [i.label],
  );
  const lines = formatTable(headers, rows).split('\n');
  const width = Math.max(headers[0]!.length, ...section.implementations.map((i) => i.label.length));
  section.implementations.forEach((i, k) => {
    if (!measured(i)) lines[k + 2] = `${i.label.padEnd(width)}  ${unmeasured(i.status, i.note ?? (i.status === 'ok' ? 'no rounds ran' : undefined))}`;
  });
  return lines.join('\n');
}

/** The `dlfs predict` line under the SimpleConvNet table. */
export function predictLine(section: ConvSection): string | undefined {
  const p = section.predict;
  if (p === undefined) return undefined;
  const what = `dlfs predict, SimpleConvNet, ${p.rows.toLocaleString('en-US')} rows of a Kaggle-size test.csv`;
  if (p.status !== 'ok') return `${what}: ${unmeasured(p.status, p.note)}`;
  const rate = p.rowsPerSecond === undefined ? '-' : Math.round(p.rowsPerSecond).toLocaleString('en-US');
  const whole = 'for the whole process (start-up, CSV loading, prediction, writing)';
  return `${what}: ${fmt(p.wallSeconds)} s ${whole}, ${rate} rows/s, peak RSS ${fmt(p.peakRssMB, 4)} MB`;
}

/**
 * The machine check of the conv section (see machine-probe.ts): how much of both cores the
 * all-threads rounds had, so that a reader can tell a busy machine from slow threads.
 */
export function machineLine(section: ConvSection): string | undefined {
  const s = section.machine?.summary;
  if (s === undefined) return undefined;
  return (
    `machine check before each all-threads round: two threads of the same arithmetic at once took ${fmt(s.min, 3)}–${fmt(s.max, 3)}× ` +
    `one alone (median ${fmt(s.median, 3)}×; 1.00 = both cores free; above about 1.1 another process had part of a core, ` +
    'and a step split over both threads waits for the one whose core is taken)'
  );
}

/** The PyTorch the conv section ran (version, the BLAS it loaded with its kernel, oneDNN), or why it did not run. */
export function describeTorch(info: unknown): string {
  const t = info as
    | {
        torch?: string;
        missing?: string;
        mkldnn?: boolean;
        blasRuntime?: { libraries?: { realpath?: string; library?: string; variant?: string; corename?: string; config?: string }[] };
      }
    | undefined;
  if (t?.missing !== undefined) return `not measured (${t.missing})`;
  if (t?.torch === undefined) return 'not measured';
  const libs = (t.blasRuntime?.libraries ?? []).map((l) => {
    const version = /^OpenBLAS \S+/.exec(l.config ?? '')?.[0] ?? l.library ?? l.realpath ?? 'unknown';
    return `${version}${l.variant ? ` (${l.variant})` : ''}${l.corename ? `, kernel ${l.corename}` : ''}`;
  });
  const blas = libs.length === 0 ? 'no BLAS library loaded' : [...new Set(libs)].join('; ');
  return `${t.torch}, BLAS: ${blas}${t.mkldnn ? '; oneDNN (MKL-DNN) available' : ''}`;
}

/** The CSV table; with the --baseline loader, a last column compares dlfs loadCsv with it. */
export function csvTable(section: CsvSection): string {
  const numpy = section.loaders.find((l) => l.id === 'numpy-loadtxt')?.summary?.median;
  const withBaseline = section.loaders.some((l) => l.id === 'baseline-dlfs-loadCsv');
  const rows = section.loaders.map((l) => {
    const cells =
      l.status === 'ok' && l.summary
        ? [l.label, fmt(l.summary.median), fmt(l.summary.min), fmt(l.summary.max), fmt(l.peakRssMB, 4), fmtRatio(ratio(l.summary.median, numpy))]
        : [l.label, l.status === 'skipped' ? 'skipped' : 'ERROR', '', '', '', ''];
    return withBaseline ? [...cells, l.id === 'dlfs-loadCsv' && l.status === 'ok' ? fmtRatio(section.baselineRatio) : ''] : cells;
  });
  const t = section.trainRun;
  rows.push(
    t.status === 'ok'
      ? [`dlfs train --data FILE --iters ${t.iters} (whole CLI run)`, fmt(t.wallSeconds), '', '', fmt(t.peakRssMB, 4), '']
      : [`dlfs train --iters ${t.iters}`, t.status === 'skipped' ? 'skipped' : 'ERROR', '', '', '', ''],
  );
  const c = section.convRun;
  if (c !== undefined) {
    const what = 'dlfs train --spec simple-convnet --epochs 1 (whole CLI run)';
    rows.push(
      c.status === 'ok' ? [what, fmt(c.wallSeconds), '', '', fmt(c.peakRssMB, 4), ''] : [what, c.status === 'skipped' ? 'skipped' : 'ERROR', '', '', '', ''],
    );
  }
  const headers = ['loader', 'median s', 'min s', 'max s', 'peak RSS MB', '× loadtxt'];
  return formatTable(withBaseline ? [...headers, '× baseline'] : headers, rows);
}

export function gradcheckTable(section: GradcheckSection): string {
  const keys = ['W1', 'b1', 'W2', 'b2'];
  const rows = section.implementations.map((g) =>
    g.status === 'ok' && g.summary
      ? [
          g.label,
          fmt(g.summary.median),
          fmt(g.summary.min),
          fmt(g.summary.max),
          ...keys.map((k) => (g.meanAbsDiff?.[k] === undefined ? '-' : g.meanAbsDiff[k]!.toExponential(1))),
        ]
      : [g.label, g.status === 'skipped' ? 'skipped' : 'ERROR', '', '', '', '', '', ''],
  );
  return formatTable(['implementation', 'median s', 'min s', 'max s', ...keys.map((k) => `${k} mean|diff|`)], rows);
}

/** The medians the verdicts are computed from; a missing one makes its verdicts SKIP. */
export interface VerdictInput {
  train?: {
    defaultBackend: string;
    /** dlfs on its default backend, float32, ms/iter. */
    dlfsDefault?: number;
    /** dlfs on the plain TypeScript backend, float32. */
    dlfsJs?: number;
    /** dlfs on its default backend, float32, on all threads (undefined on one core). */
    dlfsMt?: number;
    /** Threads of that row. */
    allThreads?: number;
    numpyF64?: number;
    numpyF32?: number;
    tfjsWasm?: number;
  };
  csv?: {
    dlfsSeconds?: number;
    numpySeconds?: number;
    dlfsPeakRssMB?: number;
    trainPeakRssMB?: number;
    trainIters: number;
    convPeakRssMB?: number;
    convMeasured?: boolean;
  };
  gradcheck?: { dlfsSeconds?: number; samples: number };
  conv?: {
    defaultBackend: string;
    /** dlfs on its default backend, float32, one thread: ms per SimpleConvNet step. */
    dlfs1t?: number;
    /** The same on all threads. */
    dlfsMt?: number;
    /** Why dlfs could not start the all-threads row's threads (conv-threads then fails). */
    dlfsMtNotStarted?: string;
    /** Threads of the all-threads row (1 on a machine with one core: conv-threads is skipped). */
    allThreads: number;
    numpyF32?: number;
    numpyF64?: number;
    /** The machine check's median before the all-threads rounds (ConvSection.machine): shown beside conv-threads, never part of it. */
    machine?: number;
  };
  /** Set by --baseline: this tree's rows and the baseline checkout's, each as median and min. */
  baseline?: {
    /** Its short commit, or its directory's name. */
    revision: string;
    train?: {
      defaultBackend: string;
      /** The baseline's own default backend; its float32 row is what this tree's default is held to. */
      baselineDefaultBackend?: string;
      dlfsDefault?: MedianMin;
      baselineDefault?: MedianMin;
      dlfsJs?: MedianMin;
      baselineJs?: MedianMin;
    };
    csv?: { dlfs?: MedianMin; baseline?: MedianMin };
  };
}

export type MedianMin = Pick<Summary, 'median' | 'min'>;

function verdict(
  id: string,
  kind: Verdict['kind'],
  target: string,
  limit: number,
  value: number | undefined,
  pass: (v: number) => boolean,
  measured: (v: number) => string,
  missing: string,
): Verdict {
  if (value === undefined || !Number.isFinite(value)) return { id, kind, status: 'SKIP', target, measured: missing, limit };
  return { id, kind, status: pass(value) ? 'PASS' : 'FAIL', target, measured: measured(value), value, limit };
}

const ms = (v: number | undefined): string => `${fmt(v)} ms`;
const seconds = (v: number | undefined): string => `${fmt(v)} s`;

/**
 * This tree against the baseline: PASS when the median ratio is ≤ BASELINE_TOLERANCE. The
 * ratio of the minimums, less sensitive to a busy neighbour, is reported beside it (byMin).
 */
function vsBaseline(
  id: string,
  kind: Verdict['kind'],
  target: string,
  current: MedianMin | undefined,
  baseline: MedianMin | undefined,
  unit: (v: number | undefined) => string,
  missing: string,
): Verdict {
  const byMin = ratio(current?.min, baseline?.min);
  const v = verdict(
    id,
    kind,
    target,
    BASELINE_TOLERANCE,
    ratio(current?.median, baseline?.median),
    (r) => r <= BASELINE_TOLERANCE,
    (r) =>
      `${fmt(r)}× by median (${unit(current?.median)} vs ${unit(baseline?.median)}); ${fmtRatio(byMin)} by min (${unit(current?.min)} vs ` +
      `${unit(baseline?.min)})`,
    missing,
  );
  if (v.status !== 'SKIP' && byMin !== undefined) v.byMin = byMin;
  return v;
}

function trainVsBaseline(b: NonNullable<VerdictInput['baseline']>): Verdict[] {
  const t = b.train;
  if (t === undefined) return [];
  const at = `at baseline ${b.revision}`;
  const def = `dlfs ${t.defaultBackend} float32`;
  const baseDef = t.baselineDefaultBackend === undefined ? `dlfs ${at}` : `dlfs ${t.baselineDefaultBackend} float32 ${at}`;
  const out = [
    vsBaseline(
      'train-vs-baseline',
      'target',
      `${def} takes ≤ ${BASELINE_TOLERANCE}× the time per iteration of ${baseDef} (${allowance} for noise on a shared machine)`,
      t.dlfsDefault,
      t.baselineDefault,
      ms,
      t.dlfsDefault === undefined ? `${def} was not measured` : `${baseDef} was not measured`,
    ),
  ];
  // With 'js' the default on both sides, this would repeat the verdict above.
  if (t.defaultBackend !== 'js' || t.baselineDefaultBackend !== 'js') {
    out.push(
      vsBaseline(
        'js-vs-baseline',
        'info',
        `dlfs js float32 (plain TypeScript) takes ≤ ${BASELINE_TOLERANCE}× the time per iteration of dlfs js float32 ${at}`,
        t.dlfsJs,
        t.baselineJs,
        ms,
        t.dlfsJs === undefined ? 'dlfs js float32 was not measured' : `dlfs js float32 ${at} was not measured`,
      ),
    );
  }
  return out;
}

function csvVsBaseline(b: NonNullable<VerdictInput['baseline']>): Verdict[] {
  const c = b.csv;
  if (c === undefined) return [];
  const at = `at baseline ${b.revision}`;
  return [
    vsBaseline(
      'csv-load-vs-baseline',
      'target',
      `dlfs loadCsv takes ≤ ${BASELINE_TOLERANCE}× the time of loadCsv ${at} on the Kaggle-size train.csv (${allowance} for noise on a shared machine)`,
      c.dlfs,
      c.baseline,
      seconds,
      c.dlfs === undefined ? 'dlfs loadCsv was not measured' : `loadCsv ${at} was not measured`,
    ),
  ];
}

/** Every verdict, computed from ratios measured in this run (no figure is fixed in advance). */
export function computeVerdicts(input: VerdictInput): Verdict[] {
  const out: Verdict[] = [];
  const t = input.train;
  if (t) {
    const def = `dlfs ${t.defaultBackend} float32`;
    out.push(
      verdict(
        'train-vs-numpy-f64',
        'target',
        `${def} takes ≤ 1.0× NumPy float64's time per iteration`,
        1,
        ratio(t.dlfsDefault, t.numpyF64),
        (v) => v <= 1,
        (v) => `${fmt(v)}× (${ms(t.dlfsDefault)} vs ${ms(t.numpyF64)})`,
        t.numpyF64 === undefined ? 'NumPy float64 was not measured' : `${def} was not measured`,
      ),
      verdict(
        'train-vs-numpy-f64-half',
        'target',
        `${def} takes ≤ 0.5× NumPy float64's time per iteration`,
        0.5,
        ratio(t.dlfsDefault, t.numpyF64),
        (v) => v <= 0.5,
        (v) => `${fmt(v)}× (${ms(t.dlfsDefault)} vs ${ms(t.numpyF64)})`,
        t.numpyF64 === undefined ? 'NumPy float64 was not measured' : `${def} was not measured`,
      ),
      verdict(
        'train-vs-numpy-f32',
        'aim',
        `${def} takes ≤ 1.0× NumPy float32's time per iteration`,
        1,
        ratio(t.dlfsDefault, t.numpyF32),
        (v) => v <= 1,
        (v) => `${fmt(v)}× (${ms(t.dlfsDefault)} vs ${ms(t.numpyF32)})`,
        t.numpyF32 === undefined ? 'NumPy float32 was not measured' : `${def} was not measured`,
      ),
      verdict(
        'train-vs-tfjs-wasm',
        'target',
        `${def} is ≥ 5× faster than TF.js wasm`,
        5,
        ratio(t.tfjsWasm, t.dlfsDefault),
        (v) => v >= 5,
        (v) => `${fmt(v)}× faster (${ms(t.dlfsDefault)} vs ${ms(t.tfjsWasm)})`,
        t.tfjsWasm === undefined ? 'TF.js wasm was not measured' : `${def} was not measured`,
      ),
      verdict(
        'js-vs-tfjs-wasm',
        'target',
        'dlfs js float32 (plain TypeScript) is at least as fast as TF.js wasm',
        1,
        ratio(t.dlfsJs, t.tfjsWasm),
        (v) => v <= 1,
        (v) => `${fmt(v)}× TF.js wasm's time (${ms(t.dlfsJs)} vs ${ms(t.tfjsWasm)})`,
        t.tfjsWasm === undefined ? 'TF.js wasm was not measured' : 'dlfs js float32 was not measured',
      ),
    );
    if (t.allThreads !== undefined)
      out.push(
        t.allThreads < 2
          ? {
              id: 'train-threads',
              kind: 'target',
              status: 'SKIP',
              target: `${def} on all threads takes ≤ 1.05× its 1-thread time per iteration`,
              measured: 'skipped: this machine has 1 core',
              limit: 1.05,
            }
          : verdict(
              'train-threads',
              'target',
              `${def} on all ${t.allThreads} threads takes ≤ 1.05× its 1-thread time per iteration (threads never slow the step; 5% for noise)`,
              1.05,
              ratio(t.dlfsMt, t.dlfsDefault),
              (v) => v <= 1.05,
              (v) => `${fmt(v)}× (${ms(t.dlfsMt)} vs ${ms(t.dlfsDefault)})`,
              t.dlfsMt === undefined ? `${def} on all threads was not measured` : `${def} was not measured`,
            ),
      );
  }
  if (input.baseline) out.push(...trainVsBaseline(input.baseline));
  const c = input.csv;
  if (c) {
    out.push(
      verdict(
        'csv-load-time',
        'target',
        'dlfs loadCsv takes ≤ 0.5× numpy.loadtxt time on the Kaggle-size train.csv',
        0.5,
        ratio(c.dlfsSeconds, c.numpySeconds),
        (v) => v <= 0.5,
        (v) => `${fmt(v)}× (${fmt(c.dlfsSeconds)} s vs ${fmt(c.numpySeconds)} s)`,
        c.numpySeconds === undefined ? 'numpy.loadtxt was not measured' : 'dlfs loadCsv was not measured',
      ),
      verdict(
        'csv-load-rss',
        'target',
        'dlfs loadCsv peak RSS ≤ 600 MB',
        600,
        c.dlfsPeakRssMB,
        (v) => v <= 600,
        (v) => `${fmt(v, 4)} MB`,
        'dlfs loadCsv was not measured',
      ),
      verdict(
        'train-run-rss',
        'info',
        `dlfs train --iters ${c.trainIters} on that file: peak RSS ≤ 600 MB`,
        600,
        c.trainPeakRssMB,
        (v) => v <= 600,
        (v) => `${fmt(v, 4)} MB`,
        'the training run was not measured',
      ),
    );
    if (c.convMeasured)
      out.push(
        verdict(
          'convnet-epoch-rss',
          'target',
          'dlfs train --spec simple-convnet --epochs 1 on that file: peak RSS < 1 GB',
          1000,
          c.convPeakRssMB,
          (v) => v < 1000,
          (v) => `${fmt(v, 4)} MB`,
          'the SimpleConvNet run was not measured',
        ),
      );
  }
  if (input.baseline) out.push(...csvVsBaseline(input.baseline));
  const g = input.gradcheck;
  if (g) {
    out.push(
      verdict(
        'gradcheck-time',
        'target',
        `dlfs gradient check of 784-50-10 on ${g.samples} samples < 5 s`,
        5,
        g.dlfsSeconds,
        (v) => v < 5,
        (v) => `${fmt(v)} s`,
        'the dlfs gradient check was not measured',
      ),
    );
  }
  const cv = input.conv;
  if (cv) {
    // Ratios with 4 figures: 0.3302× must not read as 0.330× beside a limit of 0.33.
    const one = `dlfs ${cv.defaultBackend} float32 on 1 thread`;
    const vsNumpy = (id: string, kind: Verdict['kind'], limit: number, aim: string): Verdict =>
      verdict(
        id,
        kind,
        `${one} takes ≤ ${limit}× NumPy float32's time per SimpleConvNet step${aim}`,
        limit,
        ratio(cv.dlfs1t, cv.numpyF32),
        (v) => v <= limit,
        (v) => `${fmt(v, 4)}× (${ms(cv.dlfs1t)} vs ${ms(cv.numpyF32)})`,
        cv.numpyF32 === undefined ? 'NumPy float32 was not measured' : `${one} was not measured`,
      );
    const threads = (): Verdict => {
      const id = 'conv-threads';
      const all = cv.allThreads < 2 ? 'all threads' : `all ${cv.allThreads} threads`;
      const target = `dlfs ${cv.defaultBackend} float32 on ${all} takes ≤ 0.6× its 1-thread time per SimpleConvNet step`;
      if (cv.allThreads < 2) return { id, kind: 'target', status: 'SKIP', target, measured: 'skipped: this machine has 1 core', limit: 0.6 };
      // dlfs not starting its threads is dlfs's failure, not a missing peer.
      if (cv.dlfsMt === undefined && cv.dlfsMtNotStarted !== undefined)
        return { id, kind: 'target', status: 'FAIL', target, measured: cv.dlfsMtNotStarted, limit: 0.6 };
      return verdict(
        id,
        'target',
        target,
        0.6,
        ratio(cv.dlfsMt, cv.dlfs1t),
        (v) => v <= 0.6,
        (v) => `${fmt(v, 4)}× (${ms(cv.dlfsMt)} vs ${ms(cv.dlfs1t)}${cv.machine === undefined ? '' : `; machine check ${fmt(cv.machine, 3)}×`})`,
        cv.dlfsMt === undefined ? `dlfs on all ${cv.allThreads} threads was not measured` : `${one} was not measured`,
      );
    };
    out.push(vsNumpy('conv-vs-numpy-f32', 'target', 0.33, ''), vsNumpy('conv-vs-numpy-f32-aim', 'info', 0.2, ' (the aim)'), threads());
  }
  return out;
}

export function formatVerdicts(verdicts: readonly Verdict[]): string {
  const tag = (s: VerdictStatus): string => s.padEnd(4);
  return verdicts.map((v) => `${tag(v.status)}  ${v.kind === 'target' ? '' : `(${v.kind}) `}${v.target}: ${v.measured}`).join('\n');
}
