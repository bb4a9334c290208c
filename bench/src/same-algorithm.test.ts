import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@dlfs/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BenchData, makeBenchData, PARAM_KEYS, writeBenchData } from './bench-data.js';
import { DlfsTrainer } from './impl/dlfs.js';
import { currentBackend, probeBackends, useBackend } from './impl/dlfs-backend.js';
import { TfjsTrainer } from './impl/tfjs.js';
import { CHECK_TOLERANCE, type CheckResult, checkDifference, TRAIN_CONFIG } from './impl/trainer.js';
import { WorkerProcess } from './protocol.js';
import { numpyEnv, probeNumpy, PYTHON_WORKER } from './python.js';

// Every implementation the bench times must compute the same training step. Each one takes
// one SGD step on the same 100 rows from the same weights; the loss before and after the step
// and Σ|gradient| of every parameter must agree with dlfs float64 within float tolerance.

const python = process.env.PYTHON ?? 'python3';
const numpy = probeNumpy(python);
let data: BenchData;
let dir: string;
let dataPath: string;
let indices: Int32Array;
let reference: CheckResult;

beforeAll(async () => {
  data = makeBenchData({ rows: 500 });
  dir = mkdtempSync(join(tmpdir(), 'dlfs-bench-test-'));
  dataPath = join(dir, 'data.bin');
  writeBenchData(dataPath, data);
  indices = new Rng(7).choice(data.rows, TRAIN_CONFIG.batchSize);
  reference = (await DlfsTrainer.create(data, { dtype: 'float64', backend: 'js', config: TRAIN_CONFIG })).check(indices);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Relative agreement of every number of a check with the float64 reference. */
function expectClose(actual: CheckResult, rel: number): void {
  const close = (a: number, b: number, what: string): void => {
    expect(Math.abs(a - b) / Math.max(Math.abs(b), 1e-12), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(rel);
  };
  close(actual.loss0, reference.loss0, 'loss before the step');
  close(actual.loss1, reference.loss1, 'loss after the step');
  for (const k of PARAM_KEYS) close(actual.gradL1[k], reference.gradL1[k], `Σ|∂L/∂${k}|`);
  // The same measure the bench applies before it times an implementation.
  expect(checkDifference(actual, reference)).toBeLessThanOrEqual(rel);
}

async function numpyCheck(dtype: 'float64' | 'float32'): Promise<CheckResult> {
  const w = new WorkerProcess(`NumPy ${dtype}`, python, [PYTHON_WORKER], numpyEnv(process.env, 1).env);
  try {
    await w.request({ cmd: 'setup', data: dataPath, dtype, seed: 1, batchSize: TRAIN_CONFIG.batchSize, lr: TRAIN_CONFIG.lr });
    return await w.request<CheckResult>({ cmd: 'check', indices: [...indices] });
  } finally {
    await w.close();
  }
}

describe('checkDifference', () => {
  it('is 0 for the reference itself, and infinite for a NaN loss', () => {
    expect(checkDifference(reference, reference)).toBe(0);
    expect(checkDifference({ ...reference, loss1: Number.NaN }, reference)).toBe(Number.POSITIVE_INFINITY);
    expect(checkDifference({ ...reference, loss0: reference.loss0 * (1 + 2 * CHECK_TOLERANCE.float32) }, reference)).toBeGreaterThan(CHECK_TOLERANCE.float32);
  });
});

describe('the reference step (dlfs float64)', () => {
  it('starts at the chance loss ln 10 and goes down after one step', () => {
    expect(reference.loss0).toBeCloseTo(Math.log(10), 2);
    expect(reference.loss1).toBeLessThan(reference.loss0);
    for (const k of PARAM_KEYS) expect(reference.gradL1[k]).toBeGreaterThan(0);
  });
});

describe('dlfs on each backend computes the same step', () => {
  it('on every backend, float32 and float64', async () => {
    const probe = await probeBackends();
    for (const backend of probe.available) {
      expectClose((await DlfsTrainer.create(data, { dtype: 'float64', backend, config: TRAIN_CONFIG })).check(indices), 1e-9);
      expectClose((await DlfsTrainer.create(data, { dtype: 'float32', backend, config: TRAIN_CONFIG })).check(indices), 1e-4);
    }
    await useBackend(probe.default);
    expect(currentBackend()).toBe(probe.default);
  });
});

describe("NumPy (the book's TwoLayerNet) computes the same step", () => {
  // The book's cross_entropy_error adds 1e-7 inside the log: about 1e-7 / y per row, so ~1e-6 relative.
  it('in float64', async (ctx) => {
    if (!numpy.ok) ctx.skip(`NumPy is not available: ${numpy.reason}`);
    expectClose(await numpyCheck('float64'), 1e-5);
  });
  it('in float32', async (ctx) => {
    if (!numpy.ok) ctx.skip(`NumPy is not available: ${numpy.reason}`);
    expectClose(await numpyCheck('float32'), 1e-4);
  });
});

describe('TensorFlow.js computes the same step', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`on its ${backend} backend`, async () => {
      const trainer = await TfjsTrainer.create(data, { backend, config: TRAIN_CONFIG });
      try {
        expectClose(trainer.check(indices), 1e-4);
        expect(trainer.info().backend).toBe(backend);
      } finally {
        trainer.dispose();
      }
    });
  }
});

describe('a training run', () => {
  it('lowers the loss from ln 10 in dlfs and TF.js alike', async () => {
    const dlfs = await DlfsTrainer.create(data, { dtype: 'float32', config: TRAIN_CONFIG });
    const tfjs = await TfjsTrainer.create(data, { backend: 'wasm', config: TRAIN_CONFIG });
    try {
      // Both draw the same batches (the same seeded Rng), so their losses stay close.
      const a = dlfs.run(40);
      const b = tfjs.run(40);
      expect(a).toBeLessThan(Math.log(10) - 0.05);
      expect(Math.abs(a - b)).toBeLessThan(1e-3);
    } finally {
      tfjs.dispose();
    }
  });
});
