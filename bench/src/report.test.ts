import { describe, expect, it } from 'vitest';
import { addRatios, BASELINE_TOLERANCE, computeVerdicts, csvTable, fmt, formatTable, formatVerdicts, trainTable } from './report.js';
import type { CsvSection, LoaderResult, TrainImplResult, TrainSection } from './results.js';
import { summarize } from './stats.js';

function impl(id: string, rounds: number[]): TrainImplResult {
  const family = id.startsWith('numpy') ? 'numpy' : id.startsWith('baseline-') ? 'baseline' : 'dlfs';
  return { id, label: id, family, backend: 'x', dtype: 'float32', status: 'ok', rounds, summary: summarize(rounds) };
}

function trainSection(implementations: TrainImplResult[]): TrainSection {
  return {
    check: { rows: [], reference: { loss0: 2.3, loss1: 2.2, gradL1: {} } },
    config: { batchSize: 100, layers: [784, 50, 10], weightInitStd: 0.01, optimizer: 'SGD', lr: 0.1, samples: 10_000, rounds: 3 },
    dlfsDefaultBackend: 'js',
    dlfsBackends: ['js'],
    implementations,
  };
}

function loader(id: LoaderResult['id'], seconds: number[], peakRssMB: number): LoaderResult {
  return { id, label: id, status: 'ok', seconds, processSeconds: seconds, summary: summarize(seconds), peakRssMB };
}

function csvSection(loaders: LoaderResult[], baselineRatio?: number): CsvSection {
  return {
    file: { path: '/tmp/train.csv', rows: 42_000, bytes: 77e6, generatedNow: false },
    loaders,
    ...(baselineRatio === undefined ? {} : { baselineRatio }),
    trainRun: { status: 'ok', iters: 200, wallSeconds: 9, peakRssMB: 400 },
  };
}

describe('formatTable', () => {
  it('left-aligns the first column and right-aligns the others', () => {
    expect(
      formatTable(
        ['name', 'ms'],
        [
          ['a', '1.5'],
          ['longer', '10'],
        ],
      ),
    ).toBe(['name     ms', '------  ---', 'a       1.5', 'longer   10'].join('\n'));
  });
});

describe('fmt', () => {
  it('shows three significant figures', () => {
    expect(fmt(1.23456)).toBe('1.23');
    expect(fmt(12.3456)).toBe('12.3');
    expect(fmt(1234.5)).toBe('1235');
    expect(fmt(0.012345)).toBe('0.0123');
    expect(fmt(undefined)).toBe('-');
  });
});

describe('addRatios and the training table', () => {
  it('divides every median by NumPy float64 and float32 medians', () => {
    const impls = [impl('dlfs-js-f32', [2, 3, 4]), impl('numpy-f64', [4, 4, 5]), impl('numpy-f32', [1, 2, 3])];
    addRatios(impls);
    expect(impls[0]!.vsNumpyF64).toBe(0.75);
    expect(impls[0]!.vsNumpyF32).toBe(1.5);
    expect(impls[1]!.vsNumpyF64).toBe(1);
    const table = trainTable(trainSection([...impls, { ...impl('tfjs-wasm', [1]), status: 'error', summary: undefined }]));
    expect(table).toMatch(/dlfs-js-f32 .* 3\.00 .* 2\.00 .* 4\.00 .* 0\.750× .* 1\.50×/);
    expect(table).toMatch(/tfjs-wasm .*ERROR/);
    expect(table).not.toMatch(/baseline/);
    expect(impls[0]!.vsBaseline).toBeUndefined();
  });

  it('shows the baseline rows and compares each dlfs row with the baseline row of the same backend and dtype', () => {
    const impls = [impl('dlfs-js-f32', [2, 3, 4]), impl('dlfs-js-f64', [5]), impl('baseline-dlfs-js-f32', [2, 2.5, 3]), impl('numpy-f64', [4, 4, 5])];
    impls[2]!.label = 'dlfs js float32, baseline 4398eaf';
    addRatios(impls);
    expect(impls[0]!.vsBaseline).toBe(1.2);
    expect(impls[1]!.vsBaseline).toBeUndefined();
    expect(impls[2]!.vsBaseline).toBeUndefined();
    const lines = trainTable(trainSection(impls)).split('\n');
    expect(lines[0]).toMatch(/× NumPy f32 {2}× baseline$/);
    expect(lines.find((l) => l.startsWith('dlfs-js-f32 '))).toMatch(/ 1\.20×$/);
    expect(lines.find((l) => l.startsWith('dlfs js float32, baseline 4398eaf '))).toMatch(/ 2\.50 +2\.00 +3\.00 +0\.625× +-$/);
    expect(lines.find((l) => l.startsWith('dlfs-js-f64 '))).toMatch(/ -$/);
  });
});

describe('the CSV table', () => {
  it('has no baseline column without a baseline loader', () => {
    const table = csvTable(csvSection([loader('dlfs-loadCsv', [1, 1.2], 300), loader('numpy-loadtxt', [10, 10], 900)]));
    expect(table).not.toMatch(/baseline/);
    expect(table).toMatch(/dlfs-loadCsv +1\.10 +1\.00 +1\.20 +300 +0\.110×$/m);
  });
  it('shows the whole CLI runs: the chapter-5 network and, when run, one SimpleConvNet epoch', () => {
    const section = csvSection([loader('dlfs-loadCsv', [1, 1.2], 300)]);
    expect(csvTable(section)).toMatch(/^dlfs train --data FILE --iters 200 \(whole CLI run\) +9\.00 +400 *$/m);
    expect(csvTable(section)).not.toMatch(/simple-convnet/);
    expect(csvTable({ ...section, convRun: { status: 'ok', wallSeconds: 26, peakRssMB: 329 } })).toMatch(
      /^dlfs train --spec simple-convnet --epochs 1 \(whole CLI run\) +26\.0 +329 *$/m,
    );
    expect(csvTable({ ...section, convRun: { status: 'error', note: 'exited with 1' } })).toMatch(
      /^dlfs train --spec simple-convnet --epochs 1 \S.* +ERROR *$/m,
    );
  });
  it('shows the baseline loader and dlfs loadCsv against it', () => {
    const table = csvTable(
      csvSection([loader('dlfs-loadCsv', [1, 1.2], 300), loader('baseline-dlfs-loadCsv', [1, 1], 320), loader('numpy-loadtxt', [10, 10], 900)], 1.1),
    );
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/× loadtxt {2}× baseline$/);
    expect(lines.find((l) => l.startsWith('dlfs-loadCsv '))).toMatch(/0\.110× +1\.10×$/);
    expect(lines.find((l) => l.startsWith('baseline-dlfs-loadCsv '))).toMatch(/ 1\.00 +1\.00 +1\.00 +320 +0\.100×$/);
  });
});

describe('computeVerdicts', () => {
  const train = { defaultBackend: 'wasm', dlfsDefault: 0.5, dlfsJs: 3, numpyF64: 1, numpyF32: 0.4, tfjsWasm: 10 };

  it('passes and fails each target from the measured ratios', () => {
    const v = computeVerdicts({
      train,
      csv: { dlfsSeconds: 2, numpySeconds: 5, dlfsPeakRssMB: 700, trainPeakRssMB: 500, trainIters: 200 },
      gradcheck: { dlfsSeconds: 4.9, samples: 3 },
    });
    const status = Object.fromEntries(v.map((x) => [x.id, x.status]));
    expect(status).toEqual({
      'train-vs-numpy-f64': 'PASS',
      'train-vs-numpy-f64-half': 'PASS',
      'train-vs-numpy-f32': 'FAIL',
      'train-vs-tfjs-wasm': 'PASS',
      'js-vs-tfjs-wasm': 'PASS',
      'csv-load-time': 'PASS',
      'csv-load-rss': 'FAIL',
      'train-run-rss': 'PASS',
      'gradcheck-time': 'PASS',
    });
    expect(v.find((x) => x.id === 'train-vs-tfjs-wasm')!.value).toBe(20);
    expect(v.find((x) => x.id === 'csv-load-time')!.value).toBe(0.4);
  });

  it('holds one SimpleConvNet epoch on the Kaggle-size file under 1 GB of peak RSS, when that run was made', () => {
    const csv = { dlfsSeconds: 2, numpySeconds: 5, dlfsPeakRssMB: 300, trainPeakRssMB: 300, trainIters: 200 };
    const conv = (convPeakRssMB: number | undefined) =>
      computeVerdicts({ csv: { ...csv, convPeakRssMB, convMeasured: true } }).find((x) => x.id === 'convnet-epoch-rss')!;
    expect(conv(329)).toMatchObject({ kind: 'target', status: 'PASS', limit: 1000, measured: '329 MB' });
    expect(conv(1000).status).toBe('FAIL');
    // A run that failed has no figure: SKIP here, and the run's error is reported beside the tables.
    expect(conv(undefined)).toMatchObject({ status: 'SKIP', measured: 'the SimpleConvNet run was not measured' });
    expect(computeVerdicts({ csv }).some((x) => x.id === 'convnet-epoch-rss')).toBe(false);
  });

  it('holds the two-layer step on all threads to ≤ 1.05× its 1-thread time, and skips that on one core', () => {
    const mt = (dlfsMt: number | undefined, allThreads: number) =>
      computeVerdicts({ train: { ...train, dlfsDefault: 0.3, dlfsMt, allThreads } }).find((x) => x.id === 'train-threads')!;
    expect(mt(0.24, 2)).toMatchObject({ kind: 'target', status: 'PASS', limit: 1.05, value: 0.8 });
    expect(mt(0.315, 2).status).toBe('PASS');
    expect(mt(0.316, 2).status).toBe('FAIL');
    expect(mt(undefined, 2)).toMatchObject({ status: 'SKIP', measured: expect.stringMatching(/on all threads was not measured/) });
    expect(mt(undefined, 1)).toMatchObject({ status: 'SKIP', measured: 'skipped: this machine has 1 core' });
    // Without the all-threads figure (an older results file), no such verdict.
    expect(computeVerdicts({ train }).some((x) => x.id === 'train-threads')).toBe(false);
  });

  it('uses the limits as stated: ≤ for ratios, < for the gradient check, ≥ 5 for the speed-up', () => {
    const v = computeVerdicts({ train: { ...train, dlfsDefault: 2, tfjsWasm: 9.99 }, gradcheck: { dlfsSeconds: 5, samples: 3 } });
    expect(v.find((x) => x.id === 'train-vs-tfjs-wasm')!.status).toBe('FAIL');
    expect(v.find((x) => x.id === 'gradcheck-time')!.status).toBe('FAIL');
    const edge = computeVerdicts({ train: { ...train, dlfsDefault: 1, numpyF64: 1, tfjsWasm: 5 } });
    expect(edge.find((x) => x.id === 'train-vs-numpy-f64')!.status).toBe('PASS');
    expect(edge.find((x) => x.id === 'train-vs-tfjs-wasm')!.status).toBe('PASS');
  });

  it('skips, saying why, what was not measured, and leaves out sections that did not run', () => {
    const v = computeVerdicts({ train: { defaultBackend: 'js', dlfsDefault: 1, dlfsJs: 1 } });
    expect(v.map((x) => x.status)).toEqual(['SKIP', 'SKIP', 'SKIP', 'SKIP', 'SKIP']);
    expect(v[0]!.measured).toBe('NumPy float64 was not measured');
    expect(formatVerdicts(v)).toMatch(/^SKIP {2}dlfs js float32 takes ≤ 1.0× NumPy float64's time per iteration: NumPy float64 was not measured/);
    expect(formatVerdicts(v)).toMatch(/\nSKIP {2}\(aim\) /);
  });
});

describe('computeVerdicts with a baseline', () => {
  const train = { defaultBackend: 'wasm', dlfsDefault: 0.5, dlfsJs: 3, numpyF64: 1, numpyF32: 0.4, tfjsWasm: 10 };
  const csv = { dlfsSeconds: 2, numpySeconds: 5, dlfsPeakRssMB: 300, trainPeakRssMB: 500, trainIters: 200 };
  const baseline = {
    revision: '4398eaf',
    train: {
      defaultBackend: 'wasm',
      baselineDefaultBackend: 'wasm',
      dlfsDefault: { median: 0.52, min: 0.5 },
      baselineDefault: { median: 0.5, min: 0.5 },
      dlfsJs: { median: 3.3, min: 3 },
      baselineJs: { median: 3, min: 2.9 },
    },
    csv: { dlfs: { median: 2.2, min: 2 }, baseline: { median: 2, min: 2.1 } },
  };

  it('adds no verdict without one', () => {
    expect(computeVerdicts({ train, csv }).map((v) => v.id)).not.toContain('train-vs-baseline');
  });

  it('holds this tree to ≤ 1.05× the baseline by median, and reports the minimums too', () => {
    expect(BASELINE_TOLERANCE).toBe(1.05);
    const v = computeVerdicts({ train, csv, baseline });
    expect(v.map((x) => x.id)).toEqual([
      'train-vs-numpy-f64',
      'train-vs-numpy-f64-half',
      'train-vs-numpy-f32',
      'train-vs-tfjs-wasm',
      'js-vs-tfjs-wasm',
      'train-vs-baseline',
      'js-vs-baseline',
      'csv-load-time',
      'csv-load-rss',
      'train-run-rss',
      'csv-load-vs-baseline',
    ]);
    const step = v.find((x) => x.id === 'train-vs-baseline')!;
    expect(step).toMatchObject({ kind: 'target', status: 'PASS', value: 1.04, byMin: 1, limit: 1.05 });
    expect(step.target).toBe(
      'dlfs wasm float32 takes ≤ 1.05× the time per iteration of dlfs wasm float32 at baseline 4398eaf (5% for noise on a shared machine)',
    );
    expect(step.measured).toBe('1.04× by median (0.520 ms vs 0.500 ms); 1.00× by min (0.500 ms vs 0.500 ms)');
    const js = v.find((x) => x.id === 'js-vs-baseline')!;
    expect(js).toMatchObject({ kind: 'info', status: 'FAIL' });
    expect(js.value).toBeCloseTo(1.1, 12);
    const load = v.find((x) => x.id === 'csv-load-vs-baseline')!;
    expect(load).toMatchObject({ kind: 'target', status: 'FAIL' });
    expect(load.measured).toBe('1.10× by median (2.20 s vs 2.00 s); 0.952× by min (2.00 s vs 2.10 s)');
    expect(formatVerdicts(v)).toMatch(/\nFAIL {2}dlfs loadCsv takes ≤ 1\.05× the time of loadCsv at baseline 4398eaf on the Kaggle-size train.csv/);
    expect(formatVerdicts(v)).toMatch(/\nFAIL {2}\(info\) dlfs js float32 \(plain TypeScript\)/);
  });

  it('passes at exactly the tolerance and names the baseline default when it differs', () => {
    const edge = computeVerdicts({
      baseline: {
        revision: 'old',
        train: { defaultBackend: 'wasm', baselineDefaultBackend: 'js', dlfsDefault: { median: 1.05, min: 1 }, baselineDefault: { median: 1, min: 1 } },
      },
    });
    expect(edge[0]).toMatchObject({ id: 'train-vs-baseline', status: 'PASS' });
    expect(edge[0]!.target).toMatch(/^dlfs wasm float32 takes ≤ 1\.05× the time per iteration of dlfs js float32 at baseline old /);
  });

  it('skips, saying which side was not measured, and leaves out the js verdict when js is the default on both sides', () => {
    const v = computeVerdicts({
      baseline: {
        revision: '4398eaf',
        train: { defaultBackend: 'js', baselineDefaultBackend: 'js', dlfsDefault: { median: 1, min: 1 } },
        csv: { baseline: { median: 1, min: 1 } },
      },
    });
    expect(v.map((x) => [x.id, x.status, x.measured])).toEqual([
      ['train-vs-baseline', 'SKIP', 'dlfs js float32 at baseline 4398eaf was not measured'],
      ['csv-load-vs-baseline', 'SKIP', 'dlfs loadCsv was not measured'],
    ]);
    expect(v[0]!.byMin).toBeUndefined();
  });
});
