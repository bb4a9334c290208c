import { describe, expect, it } from 'vitest';
import { addRatios, computeVerdicts, convTable, describeTorch, formatVerdicts, machineLine, predictLine, unmeasured } from './report.js';
import type { ConvImplResult, ConvSection } from './results.js';
import { cannotTrain, ONE_CORE } from './sections/conv.js';
import { summarize } from './stats.js';

function row(id: string, rounds: number[], extra: Partial<ConvImplResult> = {}): ConvImplResult {
  const family = id.startsWith('numpy') ? 'numpy' : id.startsWith('torch') ? 'torch' : id.startsWith('tfjs') ? 'tfjs' : 'dlfs';
  return {
    id,
    label: id,
    family,
    backend: 'x',
    dtype: 'float32',
    threads: 1,
    status: 'ok',
    rounds,
    ...(rounds.length > 0 ? { summary: summarize(rounds) } : {}),
    itersPerRound: 10,
    ...extra,
  };
}

function section(implementations: ConvImplResult[], predict?: ConvSection['predict']): ConvSection {
  return {
    config: {
      network: 'SimpleConvNet',
      batchSize: 100,
      optimizer: 'Adam',
      lr: 0.001,
      beta1: 0.9,
      beta2: 0.999,
      weightInitStd: 0.01,
      samples: 10_000,
      rounds: 5,
      roundMs: 1000,
    },
    check: { rows: [], reference: { loss0: 2.3, loss1: 2.29, gradL1: {} as never, gradL2: {} as never, gradProj: {} as never } },
    dlfsDefaultBackend: 'wasm',
    allThreads: 2,
    implementations,
    ...(predict ? { predict } : {}),
  };
}

describe('the SimpleConvNet table', () => {
  it('shows median, min, max, the ratios to NumPy float32 and float64, and the rounds each row ran', () => {
    const impls = [
      row('dlfs-wasm-f32-1t', [20, 22, 21]),
      row('numpy-f32', [60, 62, 61]),
      row('numpy-f64', [90, 80, 85]),
      row('tfjs-cpu', [7700, 7800, 7750], { label: 'TF.js 4.22 cpu float32 (3 timed iterations after 1 warm-up)', itersPerRound: 1 }),
    ];
    addRatios(impls);
    expect(impls[0]!.vsNumpyF32).toBeCloseTo(21 / 61, 12);
    expect(impls[0]!.vsNumpyF64).toBeCloseTo(21 / 85, 12);
    const lines = convTable(section(impls)).split('\n');
    expect(lines[0]).toMatch(/^implementation +median ms\/iter +min +max +× NumPy f32 +× NumPy f64 +rounds +iters\/round$/);
    expect(lines.find((l) => l.startsWith('dlfs-wasm-f32-1t '))).toMatch(/ 21\.0 +20\.0 +22\.0 +0\.344× +0\.247× +3 +10$/);
    expect(lines.find((l) => l.startsWith('numpy-f32 '))).toMatch(/ 1\.00× +0\.718× /);
    expect(lines.find((l) => l.startsWith('TF.js 4.22 cpu float32 (3 timed iterations after 1 warm-up) '))).toMatch(/ 7750 +7700 +7800 +127× +91\.2× +3 +1$/);
  });

  it('writes why a row was not measured across its figures: cannot train, skipped, or the error', () => {
    const table = convTable(
      section([
        row('dlfs-wasm-f32-1t', [20]),
        row('dlfs-wasm-f32-mt', [], { status: 'skipped', note: ONE_CORE }),
        row('tfjs-wasm', [], { status: 'skipped', note: 'cannot train (kernel Conv2DBackpropFilter not registered for wasm)' }),
        row('torch-1t', [], {
          status: 'skipped',
          note: '/usr/bin/python3 cannot import torch (ModuleNotFoundError); install it with `apt-get install -y python3-torch`',
        }),
        row('numpy-f32', [], { status: 'error', note: 'NumPy float32: exited with code 1\nTraceback ...' }),
      ]),
    );
    expect(table).toMatch(/^dlfs-wasm-f32-mt +skipped: this machine has 1 core: there are no other threads to run on$/m);
    expect(table).toMatch(/^tfjs-wasm +cannot train \(kernel Conv2DBackpropFilter not registered for wasm\)$/m);
    expect(table).toMatch(/^torch-1t +skipped: \/usr\/bin\/python3 cannot import torch .*python3-torch/m);
    expect(table).toMatch(/^numpy-f32 +ERROR: NumPy float32: exited with code 1$/m);
    // The notes do not widen the figures' columns.
    expect(table.split('\n')[0]).toBe('implementation    median ms/iter   min   max  × NumPy f32  × NumPy f64  rounds  iters/round');
  });

  it('shortens a long note to one line', () => {
    expect(unmeasured('error', `${'x'.repeat(200)}\nmore`)).toBe(`ERROR: ${'x'.repeat(107)}...`);
    expect(unmeasured('skipped', undefined)).toBe('skipped');
  });

  it('adds the dlfs predict line: whole-process time, rows per second and peak RSS, or why it was not measured', () => {
    const ok = section([], { status: 'ok', rows: 28_000, wallSeconds: 2.8, rowsPerSecond: 10_000, peakRssMB: 287.4 });
    expect(predictLine(ok)).toBe(
      'dlfs predict, SimpleConvNet, 28,000 rows of a Kaggle-size test.csv: 2.80 s for the whole process (start-up, CSV loading, prediction, writing), ' +
        '10,000 rows/s, peak RSS 287 MB',
    );
    const failed = section([], { status: 'error', rows: 28_000, note: 'dlfs predict exited with 1: no such file' });
    expect(predictLine(failed)).toBe('dlfs predict, SimpleConvNet, 28,000 rows of a Kaggle-size test.csv: ERROR: dlfs predict exited with 1: no such file');
    expect(predictLine(section([]))).toBeUndefined();
  });
});

describe('the SimpleConvNet verdicts', () => {
  const conv = { defaultBackend: 'wasm', dlfs1t: 20, numpyF32: 80, numpyF64: 120, allThreads: 2 };

  it('hold dlfs on 1 thread to ≤ 0.33× NumPy float32 (target) and report the aim of ≤ 0.2× (info)', () => {
    const v = computeVerdicts({ conv });
    const target = v.find((x) => x.id === 'conv-vs-numpy-f32')!;
    expect(target).toMatchObject({ kind: 'target', status: 'PASS', value: 0.25, limit: 0.33 });
    expect(target.target).toBe("dlfs wasm float32 on 1 thread takes ≤ 0.33× NumPy float32's time per SimpleConvNet step");
    expect(target.measured).toBe('0.2500× (20.0 ms vs 80.0 ms)');
    expect(computeVerdicts({ conv: { ...conv, dlfs1t: 26.42 } }).find((x) => x.id === 'conv-vs-numpy-f32')!.measured).toBe('0.3303× (26.4 ms vs 80.0 ms)');
    expect(v.find((x) => x.id === 'conv-vs-numpy-f32-aim')).toMatchObject({ kind: 'info', status: 'FAIL', limit: 0.2 });
    expect(computeVerdicts({ conv: { ...conv, dlfs1t: 26.4 } }).find((x) => x.id === 'conv-vs-numpy-f32')!.status).toBe('PASS');
    expect(computeVerdicts({ conv: { ...conv, dlfs1t: 26.5 } }).find((x) => x.id === 'conv-vs-numpy-f32')!.status).toBe('FAIL');
    expect(computeVerdicts({ conv: { ...conv, dlfs1t: 16 } }).find((x) => x.id === 'conv-vs-numpy-f32-aim')!.status).toBe('PASS');
  });

  it('hold dlfs on all threads to ≤ 0.6× its 1-thread time', () => {
    const v = computeVerdicts({ conv: { ...conv, dlfsMt: 12 } }).find((x) => x.id === 'conv-threads')!;
    expect(v).toMatchObject({ kind: 'target', status: 'PASS', value: 0.6, limit: 0.6 });
    expect(formatVerdicts([v])).toBe(
      'PASS  dlfs wasm float32 on all 2 threads takes ≤ 0.6× its 1-thread time per SimpleConvNet step: 0.6000× (12.0 ms vs 20.0 ms)',
    );
    expect(computeVerdicts({ conv: { ...conv, dlfsMt: 12.1 } }).find((x) => x.id === 'conv-threads')!.status).toBe('FAIL');
    // More threads that are slower than one still fail, rather than being mistaken for a skip.
    expect(computeVerdicts({ conv: { ...conv, dlfsMt: 25 } }).find((x) => x.id === 'conv-threads')).toMatchObject({ status: 'FAIL', value: 1.25 });
  });

  it('show the machine check beside the threads target, which it never changes', () => {
    const busy = computeVerdicts({ conv: { ...conv, dlfsMt: 13, machine: 1.284 } }).find((x) => x.id === 'conv-threads')!;
    expect(busy).toMatchObject({ status: 'FAIL', value: 0.65 });
    expect(busy.measured).toBe('0.6500× (13.0 ms vs 20.0 ms; machine check 1.28×)');
    const idle = computeVerdicts({ conv: { ...conv, dlfsMt: 11, machine: 1.004 } }).find((x) => x.id === 'conv-threads')!;
    expect(idle).toMatchObject({ status: 'PASS', measured: '0.5500× (11.0 ms vs 20.0 ms; machine check 1.00×)' });
  });

  it('skip the threads target on a machine with 1 core, and fail it when dlfs could not start its threads', () => {
    const one = computeVerdicts({ conv: { ...conv, allThreads: 1, dlfsMt: 20 } }).find((x) => x.id === 'conv-threads')!;
    expect(formatVerdicts([one])).toBe(
      'SKIP  dlfs wasm float32 on all threads takes ≤ 0.6× its 1-thread time per SimpleConvNet step: skipped: this machine has 1 core',
    );
    const why = 'dlfs started 1 of the 2 threads asked for: the WASM memory is not shared';
    const failed = computeVerdicts({ conv: { ...conv, dlfsMtNotStarted: why } }).find((x) => x.id === 'conv-threads')!;
    expect(failed).toMatchObject({ kind: 'target', status: 'FAIL', measured: why });
  });

  it('skip what was not measured, and come only with the conv section', () => {
    const v = computeVerdicts({ conv: { defaultBackend: 'wasm', allThreads: 2, dlfs1t: 20 } });
    expect(v.map((x) => [x.id, x.status, x.measured])).toEqual([
      ['conv-vs-numpy-f32', 'SKIP', 'NumPy float32 was not measured'],
      ['conv-vs-numpy-f32-aim', 'SKIP', 'NumPy float32 was not measured'],
      ['conv-threads', 'SKIP', 'dlfs on all 2 threads was not measured'],
    ]);
    expect(computeVerdicts({}).length).toBe(0);
  });
});

describe('the two-layer verdicts', () => {
  it('hold dlfs on its default backend to ≤ 0.5× NumPy float64, beside the ≤ 1.0× one', () => {
    const train = { defaultBackend: 'wasm', dlfsDefault: 0.5, dlfsJs: 3, numpyF64: 1, numpyF32: 0.4, tfjsWasm: 10 };
    const v = computeVerdicts({ train });
    expect(v.map((x) => x.id).slice(0, 2)).toEqual(['train-vs-numpy-f64', 'train-vs-numpy-f64-half']);
    expect(v[1]).toMatchObject({ kind: 'target', status: 'PASS', limit: 0.5, target: "dlfs wasm float32 takes ≤ 0.5× NumPy float64's time per iteration" });
    expect(computeVerdicts({ train: { ...train, dlfsDefault: 0.51 } })[1]!.status).toBe('FAIL');
  });
});

describe('describeTorch', () => {
  it('names the version, the BLAS library and kernel it loaded (once each), and oneDNN', () => {
    const lib = {
      library: 'openblas',
      variant: 'pthread',
      corename: 'Cooperlake',
      config: 'OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64',
    };
    const info = { torch: '1.13.0a0', mkldnn: true, blasRuntime: { libraries: [lib, { ...lib, realpath: 'libblas.so.3' }] } };
    expect(describeTorch(info)).toBe('1.13.0a0, BLAS: OpenBLAS 0.3.21 (pthread), kernel Cooperlake; oneDNN (MKL-DNN) available');
    expect(describeTorch({ torch: '2.1', blasRuntime: { libraries: [] } })).toBe('2.1, BLAS: no BLAS library loaded');
    expect(describeTorch({ missing: 'python3 cannot import torch' })).toBe('not measured (python3 cannot import torch)');
  });
});

describe("TF.js's missing kernel", () => {
  it('becomes "cannot train (...)" and nothing else does', () => {
    expect(cannotTrain("Error: Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'\n    at Engine.runKernel")).toBe(
      'cannot train (kernel Conv2DBackpropFilter not registered for wasm)',
    );
    expect(cannotTrain('TypeError: x is undefined')).toBeUndefined();
  });
});

describe('the machine check line', () => {
  it('gives the range and median of the slowdowns, or nothing without a check (one core)', () => {
    const withCheck = { ...section([]), machine: { rounds: [1.01, 1.3, 1.02], summary: summarize([1.01, 1.3, 1.02]) } };
    expect(machineLine(withCheck)).toBe(
      'machine check before each all-threads round: two threads of the same arithmetic at once took 1.01–1.30× one alone ' +
        '(median 1.02×; 1.00 = both cores free; above about 1.1 another process had part of a core, ' +
        'and a step split over both threads waits for the one whose core is taken)',
    );
    expect(machineLine(section([]))).toBeUndefined();
  });
});
