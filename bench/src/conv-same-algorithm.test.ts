import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatherLabels, gatherRows } from '@dlfs/data';
import { backendInfo, getBackend, Rng, stopThreads, Tensor } from '@dlfs/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BenchData, makeBenchData, writeBenchData } from './bench-data.js';
import { CONV_CONFIG, CONV_PARAM_KEYS, type ConvParams, makeConvParams, projection, readConvParams, writeConvParams } from './conv-data.js';
import { ConvnetjsTrainer } from './impl/conv-convnetjs.js';
import { buildConvNetwork, DlfsConvTrainer } from './impl/conv-dlfs.js';
import { TfjsConvTrainer } from './impl/conv-tfjs.js';
import { CONV_CHECK_TOLERANCE, type ConvCheckResult, convCheckDifference } from './impl/conv-trainer.js';
import { allThreads, setDlfsThreads } from './impl/threads.js';
import { WorkerProcess } from './protocol.js';
import { numpyEnv, probeNumpy, probeTorch, PYTHON_WORKER, TORCH_WORKER } from './python.js';
import { cannotTrain } from './sections/conv.js';

// The SimpleConvNet section times implementations of one algorithm. From the same initial
// weights (drawn once here, handed to each), one step on the same 100 rows must give the same
// loss before and after the Adam update and the same gradients (Σ|g| and a signed projection
// that notices a permuted or negated gradient) as dlfs float64 — the book's NumPy code in
// particular, which runs here through python3.

const python = process.env.PYTHON ?? 'python3';
const torchPython = process.env.TORCH_PYTHON ?? '/usr/bin/python3';
const numpy = probeNumpy(python);
const torch = probeTorch(torchPython);
let data: BenchData;
let params: ConvParams;
let dir: string;
let paths: { data: string; params: string };
let indices: Int32Array;
let reference: ConvCheckResult;

beforeAll(async () => {
  data = makeBenchData({ rows: 500 });
  params = makeConvParams(3);
  dir = mkdtempSync(join(tmpdir(), 'dlfs-bench-conv-test-'));
  paths = { data: join(dir, 'data.bin'), params: join(dir, 'conv.bin') };
  writeBenchData(paths.data, data);
  writeConvParams(paths.params, params);
  indices = new Rng(11).choice(data.rows, CONV_CONFIG.batchSize);
  reference = (await DlfsConvTrainer.create(data, params, { dtype: 'float64', backend: 'js', config: CONV_CONFIG })).check(indices);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Every number of a check against the reference, each within `tol` (see convCheckDifference). */
function expectSame(actual: ConvCheckResult, tol: number): void {
  const rel = (a: number, b: number, scale = Math.abs(b)): number => Math.abs(a - b) / scale;
  expect(rel(actual.loss0, reference.loss0), `loss before the step: ${actual.loss0} vs ${reference.loss0}`).toBeLessThanOrEqual(tol);
  expect(rel(actual.loss1, reference.loss1), `loss after one Adam step: ${actual.loss1} vs ${reference.loss1}`).toBeLessThanOrEqual(tol);
  for (const k of CONV_PARAM_KEYS) {
    expect(rel(actual.gradL1[k], reference.gradL1[k]), `Σ|∂L/∂${k}|`).toBeLessThanOrEqual(tol);
    expect(rel(actual.gradL2[k], reference.gradL2[k]), `√Σ(∂L/∂${k})²`).toBeLessThanOrEqual(tol);
    expect(rel(actual.gradProj[k], reference.gradProj[k], reference.gradL2[k]), `Σ ∂L/∂${k}·sin`).toBeLessThanOrEqual(tol);
  }
  expect(convCheckDifference(actual, reference)).toBeLessThanOrEqual(tol);
}

async function pythonCheck(command: string, script: string, setup: Record<string, unknown>): Promise<ConvCheckResult> {
  const w = new WorkerProcess(script, command, [script], numpyEnv(process.env, 1).env);
  try {
    await w.request({ cmd: 'setup', model: 'simple-convnet', ...paths, ...setup });
    return await w.request<ConvCheckResult>({ cmd: 'check', indices: [...indices] });
  } finally {
    await w.close();
  }
}

const adam = { seed: 1, batchSize: CONV_CONFIG.batchSize, lr: CONV_CONFIG.lr, beta1: CONV_CONFIG.beta1, beta2: CONV_CONFIG.beta2 };

describe('the reference step (dlfs float64)', () => {
  it('starts at the chance loss ln 10, goes down after one Adam step, and has a gradient for every parameter', () => {
    expect(reference.loss0).toBeCloseTo(Math.log(10), 2);
    expect(reference.loss1).toBeLessThan(reference.loss0);
    for (const k of CONV_PARAM_KEYS) expect(reference.gradL1[k]).toBeGreaterThan(0);
  });
  it('is told apart from a permuted or negated gradient', () => {
    for (const k of CONV_PARAM_KEYS) {
      const negated = { ...reference, gradProj: { ...reference.gradProj, [k]: -reference.gradProj[k] } };
      expect(convCheckDifference(negated, reference), k).toBeGreaterThan(10 * CONV_CHECK_TOLERANCE.float32);
    }
    // W2's rows in channels-last order (TF.js's and ConvNetJS's own layout) instead of the book's C, H, W order.
    const network = buildConvNetwork(params, 'float64');
    network.gradient(gatherRows(new Tensor(data.x, [data.rows, data.cols]).astype('float64'), indices), gatherLabels(data.labels, indices));
    const dW2 = network.grads.W2!.data;
    expect(projection(dW2)).toBeCloseTo(reference.gradProj.W2, 12);
    const hwc = new Float64Array(dW2.length);
    for (let c = 0; c < 30; c++) for (let yx = 0; yx < 144; yx++) hwc.set(dW2.subarray((c * 144 + yx) * 100, (c * 144 + yx + 1) * 100), (yx * 30 + c) * 100);
    expect(Math.abs(projection(hwc) - reference.gradProj.W2) / reference.gradL2.W2).toBeGreaterThan(10 * CONV_CHECK_TOLERANCE.float32);
  });
});

/** The largest |a[i] − b[i]| over the largest |b[i]|: 0 for the same numbers, about 1 for unrelated ones. */
function maxRelDiff(a: Float64Array, b: Float64Array): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / Math.max(scale, Number.MIN_VALUE);
}

describe("the book's NumPy SimpleConvNet (python/simple_convnet.py) takes the same steps as dlfs", () => {
  const STEPS = 4;
  it(`in float64: the same losses, gradients and weights over ${STEPS} Adam steps on the same batches`, async (ctx) => {
    if (!numpy.ok) ctx.skip(`NumPy is not available: ${numpy.reason}`);
    const batches = Array.from({ length: STEPS }, (_, i) => new Rng(100 + i).choice(data.rows, CONV_CONFIG.batchSize));
    const dlfs = (await DlfsConvTrainer.create(data, params, { dtype: 'float64', backend: 'js', config: CONV_CONFIG })).steps(batches);
    const w = new WorkerProcess('NumPy float64', python, [PYTHON_WORKER], numpyEnv(process.env, 1).env);
    let book: { losses: number[]; grads: ConvParams; params: ConvParams };
    try {
      await w.request({ cmd: 'setup', model: 'simple-convnet', ...paths, dtype: 'float64', ...adam });
      const r = await w.request<{ losses: number[]; grads: string; params: string }>({
        cmd: 'steps',
        batches: batches.map((b) => [...b]),
        out: join(dir, 'numpy'),
      });
      book = { losses: r.losses, grads: readConvParams(r.grads), params: readConvParams(r.params) };
    } finally {
      await w.close();
    }
    // The book's loss is −mean log(y_t + 1e-7), dlfs's −mean log y_t (computed in log space):
    // dlfs's is larger by mean log(1 + 1e-7 / y_t), about 1e-6 at y_t ≈ 0.1. The gradients are (y − t) / N in both.
    expect(book.losses.length).toBe(STEPS);
    book.losses.forEach((l, i) => {
      const d = dlfs.losses[i]! - l;
      expect(d, `loss of step ${i + 1}: dlfs ${dlfs.losses[i]}, NumPy ${l}`).toBeGreaterThan(0.5e-6);
      expect(d, `loss of step ${i + 1}: dlfs ${dlfs.losses[i]}, NumPy ${l}`).toBeLessThan(2e-6);
    });
    expect(dlfs.losses.at(-1)).toBeLessThan(dlfs.losses[0]!);
    for (const k of CONV_PARAM_KEYS) {
      expect(maxRelDiff(dlfs.grads[k], book.grads[k]), `∂L/∂${k} of step ${STEPS}`).toBeLessThan(1e-12);
      expect(maxRelDiff(dlfs.params[k], book.params[k]), `${k} after ${STEPS} updates`).toBeLessThan(1e-12);
      // Each update moves every weight by about lr: far more than the tolerance above.
      expect(maxRelDiff(params[k], book.params[k]), `${k} moved`).toBeGreaterThan(1e-3);
    }
  });
  // The bench's own check (sums of the gradients, the loss before and after one step); the 1e-7 in
  // the book's loss makes a few 1e-7 relative there.
  it('in float64, one step from the same weights, as the bench checks every implementation', async (ctx) => {
    if (!numpy.ok) ctx.skip(`NumPy is not available: ${numpy.reason}`);
    expectSame(await pythonCheck(python, PYTHON_WORKER, { dtype: 'float64', ...adam }), 2e-6);
  });
  it('in float32 too', async (ctx) => {
    if (!numpy.ok) ctx.skip(`NumPy is not available: ${numpy.reason}`);
    expectSame(await pythonCheck(python, PYTHON_WORKER, { dtype: 'float32', ...adam }), 1e-4);
  });
});

describe('dlfs float32 computes the same step', () => {
  it('on the default backend', async () => {
    expectSame((await DlfsConvTrainer.create(data, params, { dtype: 'float32', config: CONV_CONFIG })).check(indices), 1e-4);
  });
});

describe('the other implementations compute the same step', () => {
  it('ConvNetJS (float64, with the book’s Adam)', () => {
    expectSame(new ConvnetjsTrainer(data, params, CONV_CONFIG).check(indices), 1e-9);
  });
  it('TF.js cpu', async () => {
    const t = await TfjsConvTrainer.create(data, params, { backend: 'cpu', config: CONV_CONFIG });
    try {
      expectSame(t.check(indices), 1e-4);
    } finally {
      t.dispose();
    }
  });
  it('TF.js wasm cannot train it: the error names the missing kernel', async () => {
    const t = await TfjsConvTrainer.create(data, params, { backend: 'wasm', config: CONV_CONFIG });
    try {
      let message = '';
      try {
        t.check(indices);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(cannotTrain(message)).toBe('cannot train (kernel Conv2DBackpropFilter not registered for wasm)');
    } finally {
      t.dispose();
    }
  });
  // torch.optim.Adam adds its ε (1e-8) to the bias-corrected √v̂ where the book adds 1e-7 to √v:
  // the loss after the step differs by about 2e-4 relative, within the bench's float32 tolerance.
  it('PyTorch (torch.optim.Adam)', async (ctx) => {
    if (!torch.ok) ctx.skip(`PyTorch is not available: ${torch.reason}`);
    const check = await pythonCheck(torchPython, TORCH_WORKER, { threads: 1, ...adam });
    expect(Math.abs(check.loss0 - reference.loss0) / reference.loss0).toBeLessThan(1e-6);
    expect(convCheckDifference(check, reference)).toBeLessThanOrEqual(CONV_CHECK_TOLERANCE.float32);
  });
});

describe("dlfs's threads (the all-threads row)", () => {
  it('start as asked, and the steps on 2 threads are the same bits as on 1', async () => {
    const batches = Array.from({ length: 3 }, (_, i) => new Rng(200 + i).choice(data.rows, CONV_CONFIG.batchSize));
    const run = async () => (await DlfsConvTrainer.create(data, params, { dtype: 'float32', config: CONV_CONFIG })).steps(batches);
    try {
      expect(await setDlfsThreads(1)).toEqual({ ok: true, threads: 1 });
      const one = await run();
      const two = await setDlfsThreads(2);
      if (getBackend() === 'wasm') expect(two, 'dlfs on the wasm backend starts 2 threads in Node').toEqual({ ok: true, threads: 2 });
      else expect(two).toMatchObject({ ok: false, threads: 1, reason: expect.stringMatching(/^dlfs started 1 of the 2 threads asked for: /) });
      expect(backendInfo().threads.count).toBe(two.threads);
      const both = await run();
      expect(both.losses).toEqual(one.losses);
      for (const k of CONV_PARAM_KEYS) {
        expect(both.grads[k], `∂L/∂${k}`).toEqual(one.grads[k]);
        expect(both.params[k], k).toEqual(one.params[k]);
      }
    } finally {
      stopThreads();
    }
    await expect(setDlfsThreads(0)).rejects.toThrow(RangeError);
  });
  it("are the machine's for the all-threads row, at most 4", () => {
    expect([1, 2, 3, 4, 16].map((n) => allThreads(n))).toEqual([1, 2, 3, 4, 4]);
    expect(allThreads()).toBeGreaterThanOrEqual(1);
  });
});
