import { describe, expect, it } from 'vitest';
import { addRatios, computeVerdicts, fmt, formatTable, formatVerdicts, trainTable } from './report.js';
import type { TrainImplResult } from './results.js';
import { summarize } from './stats.js';

function impl(id: string, rounds: number[]): TrainImplResult {
  return { id, label: id, family: id.startsWith('numpy') ? 'numpy' : 'dlfs', backend: 'x', dtype: 'float32', status: 'ok', rounds, summary: summarize(rounds) };
}

describe('formatTable', () => {
  it('left-aligns the first column and right-aligns the others', () => {
    expect(formatTable(['name', 'ms'], [['a', '1.5'], ['longer', '10']])).toBe(['name     ms', '------  ---', 'a       1.5', 'longer   10'].join('\n'));
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
    const table = trainTable({
      check: { rows: [], reference: { loss0: 2.3, loss1: 2.2, gradL1: {} } },
      config: { batchSize: 100, layers: [784, 50, 10], weightInitStd: 0.01, optimizer: 'SGD', lr: 0.1, samples: 10_000, rounds: 3 },
      dlfsDefaultBackend: 'js',
      dlfsBackends: ['js'],
      implementations: [...impls, { ...impl('tfjs-wasm', [1]), status: 'error', summary: undefined }],
    });
    expect(table).toMatch(/dlfs-js-f32 .* 3\.00 .* 2\.00 .* 4\.00 .* 0\.750× .* 1\.50×/);
    expect(table).toMatch(/tfjs-wasm .*ERROR/);
  });
});

describe('computeVerdicts', () => {
  const train = { defaultBackend: 'wasm', dlfsDefault: 0.5, dlfsJs: 3, numpyF64: 1, numpyF32: 0.4, tfjsWasm: 10 };

  it('passes and fails each target from the measured ratios', () => {
    const v = computeVerdicts({ train, csv: { dlfsSeconds: 2, numpySeconds: 5, dlfsPeakRssMB: 700, trainPeakRssMB: 500, trainIters: 200 }, gradcheck: { dlfsSeconds: 4.9, samples: 3 } });
    const status = Object.fromEntries(v.map((x) => [x.id, x.status]));
    expect(status).toEqual({
      'train-vs-numpy-f64': 'PASS',
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
    expect(v.map((x) => x.status)).toEqual(['SKIP', 'SKIP', 'SKIP', 'SKIP']);
    expect(v[0]!.measured).toBe('NumPy float64 was not measured');
    expect(formatVerdicts(v)).toMatch(/^SKIP  dlfs js float32 takes ≤ 1.0× NumPy float64's time per iteration: NumPy float64 was not measured/);
    expect(formatVerdicts(v)).toMatch(/\nSKIP  \(aim\) /);
  });
});
