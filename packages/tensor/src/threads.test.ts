import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backendInfo, MAX_THREADS, stopThreads, wasmRuntime } from './backend.js';
import { conv2d, conv2dFilterGrad, conv2dInputGrad, convCols, maxPool2d, maxPool2dBackward } from './conv.js';
import { zeros } from './creation.js';
import { matmul } from './matmul.js';
import { startThreads } from './node.js';
import { multiplyInto, scaleInto } from './norm.js';
import { adamUpdate } from './optimizer-steps.js';
import { relu, reluBackward } from './relu.js';
import type { Tensor } from './tensor.js';
import { KernelThreadsError } from './wasm/threads.js';
import { type DataKind, place, randomTensor } from './test-support/index.js';

const onWasm = backendInfo().backend === 'wasm';

afterEach(() => stopThreads());

/** A float32 tensor of test data in the kernels' memory. */
function t(shape: number[], seed: number, kind: DataKind = 'uniform'): Tensor {
  return place(randomTensor(shape, 'float32', seed, kind), 'kernel');
}

/**
 * Every kernel that splits its calls, on shapes big enough to be split: the results, copied out.
 * The same calls on the same data each time.
 */
function battery(): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  const keep = (name: string, x: Tensor) => out.set(name, Float32Array.from(x.data));
  // Dense products: wide C with few rows (split by strips of columns), narrow C (split by rows), and the transposed forms.
  keep('A·B wide', matmul(t([120, 256], 1), t([256, 640], 2)));
  keep('A·B narrow', matmul(t([12000, 110], 3), t([110, 10], 4)));
  keep('A·Bᵀ', matmul(t([200, 300], 5), t([220, 300], 6), { transB: true }));
  keep('Aᵀ·B', matmul(t([300, 200], 7), t([300, 220], 8), { transA: true }));
  // Sparse products (MNIST-like A, 85% zeros): A·B, Aᵀ·B (the first affine's weight gradient), A·Bᵀ.
  const x = t([100, 784], 9, 'mnist');
  keep('sparse A·B', matmul(x, t([784, 170], 10)));
  keep('sparse Aᵀ·B', matmul(x, t([100, 170], 11), { transA: true }));
  keep('sparse A·Bᵀ', matmul(t([100, 100], 12, 'mnist'), t([1340, 100], 13), { transB: true }));
  // The conv layer's three products and im2col, and max pooling both ways.
  const img = t([40, 3, 24, 24], 14);
  const W = t([10, 3, 5, 5], 15);
  const b = t([10], 16);
  const y = conv2d(img, W, b, { pad: 1 });
  keep('conv2d', y);
  keep('convCols', convCols(img, 5, 5, 1, 1));
  const dout = t(y.shape as number[], 17);
  const dW = zeros([10, 3, 5, 5], 'float32');
  const db = zeros([10], 'float32');
  // Summed in 3 blocks of samples, whatever the thread count.
  conv2dFilterGrad(dout, img, dW, db, { pad: 1 });
  keep('conv2dFilterGrad dW', dW);
  keep('conv2dFilterGrad db', db);
  keep('conv2dInputGrad', conv2dInputGrad(dout, W, img.shape, { pad: 1 }));
  const half = [y.shape[0]!, y.shape[1]!, y.shape[2]! >> 1, y.shape[3]! >> 1];
  const pooled = maxPool2d(place(y, 'kernel'), 2, 2, { out: zeros(half, 'float32'), at: zeros(half, 'float32') });
  keep('maxPool2d', pooled.out);
  keep('maxPool2dBackward', maxPool2dBackward(t(half, 18), pooled.at, y.shape, 2, 2, zeros(y.shape, 'float32')));
  // Elementwise kernels over a length that is not a multiple of 16.
  const len = 300_001;
  const v = t([len], 19);
  keep('relu', relu(v, zeros([len], 'float32')));
  keep('reluBackward', reluBackward(t([len], 20), v, zeros([len], 'float32')));
  keep('multiplyInto', multiplyInto(v, t([len], 21), zeros([len], 'float32')));
  keep('scaleInto', scaleInto(v, 0.3, zeros([len], 'float32')));
  const P = t([len], 22);
  const m = t([len], 23);
  const s = place(randomTensor([len], 'float32', 24, 'positive'), 'kernel');
  adamUpdate(P, t([len], 25), m, s, 0.001, 0.9, 0.999);
  keep('adam W', P);
  keep('adam m', m);
  keep('adam v', s);
  return out;
}

/** The exports that must have been split over threads by the battery. */
const SPLIT = [
  'gemmColumns',
  'gemm',
  'gemmSparseA',
  'gemmSparseATRows',
  'convCols',
  'convColsForward',
  'convFilterGrad',
  'convInputGrad',
  'maxPool',
  'maxPoolBackward',
  'relu',
  'reluBackward',
  'multiply',
  'scale',
  'adamUpdate',
];

describe.runIf(onWasm)('kernel threads', () => {
  it('give the same bits with 1, 2 and 3 threads, and split every big call', async () => {
    const results: Map<string, Float32Array>[] = [];
    for (const n of [1, 2, 3]) {
      expect(await startThreads(n)).toBe(n);
      expect(backendInfo().threads).toEqual({ count: n, requested: n });
      const pool = wasmRuntime()!.pool;
      expect(pool === undefined).toBe(n === 1);
      const run = pool === undefined ? undefined : vi.spyOn(pool, 'run');
      results.push(battery());
      if (run !== undefined) {
        const split = new Set(run.mock.calls.filter((c) => c[2] > 1).map((c) => c[1]));
        expect([...split].sort()).toEqual([...SPLIT].sort());
        // With 3 threads, the big calls have a part for each at least.
        if (n === 3) expect(run.mock.calls.filter((c) => c[1] === 'gemmColumns').every((c) => c[2] >= 3)).toBe(true);
      }
    }
    const [one, ...more] = results;
    for (const other of more) {
      for (const [name, values] of one!) {
        const got = other.get(name)!;
        expect(got.length, name).toBe(values.length);
        // Bit for bit (NaN-safe): compare the integers under the floats.
        const a = new Uint32Array(values.buffer, values.byteOffset, values.length);
        const b = new Uint32Array(got.buffer, got.byteOffset, got.length);
        let differ = 0;
        for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differ++;
        expect(differ, `${name}: elements that differ from the 1-thread result`).toBe(0);
      }
    }
  }, 60_000);

  it("leaves the chapter-5 step's products on one thread: too small to pay for a handover", async () => {
    expect(await startThreads(2)).toBe(2);
    const run = vi.spyOn(wasmRuntime()!.pool!, 'run');
    const x = t([100, 784], 40, 'mnist');
    const W1 = t([784, 50], 41);
    const h = matmul(x, W1);
    const dh = t([100, 50], 42);
    matmul(x, dh, { transA: true });
    matmul(dh, W1, { transB: true });
    matmul(h, t([50, 10], 43));
    expect(run).not.toHaveBeenCalled();
  });

  it('reports a part that traps as an error, and keeps working after it', async () => {
    expect(await startThreads(2)).toBe(2);
    const rt = wasmRuntime()!;
    const x = t([64], 30);
    const y = zeros([64], 'float32');
    const beyond = rt.memory.buffer.byteLength + 4096;
    expect(() =>
      rt.pool!.run(rt.kernels, 'relu', 2, (p, args) => {
        args.push(p === 1 ? beyond : x.data.byteOffset, y.data.byteOffset, 32);
      }),
    ).toThrow(/relu: .*out of bounds/);
    // The pool still runs calls, and they give the right results.
    const v = t([300_000], 31);
    const r = relu(v, zeros([300_000], 'float32'));
    let wrong = 0;
    for (let i = 0; i < v.size; i++) if (r.data[i] !== Math.max(0, v.data[i]!)) wrong++;
    expect(wrong).toBe(0);
  });

  it('gives up on a call whose thread stops mid-part, with the reason, instead of waiting for ever', async () => {
    // A "thread" that claims one part of the first split call and then never finishes it, as a
    // worker killed in the middle of a part would (the caller cannot hear of its end while it waits).
    const stuck = [
      "const { parentPort, workerData } = require('node:worker_threads');",
      'const i32 = new Int32Array(workerData.memory.buffer);',
      'const claim = workerData.job >> 2;',
      'parentPort.postMessage({ ready: true });',
      'for (;;) {',
      '  const w = Atomics.load(i32, claim);',
      '  if ((w & 255) < ((w >>> 8) & 255) && Atomics.compareExchange(i32, claim, w, w + 1) === w) break;',
      '}',
      'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);',
    ].join('\n');
    let worker: Worker | undefined;
    const spawn = (_source: string, init: unknown, onMessage: (m: unknown) => void) => {
      worker = new Worker(stuck, { eval: true, workerData: init, execArgv: [] });
      worker.on('message', onMessage);
      return { terminate: () => void worker!.terminate() };
    };
    expect(await startThreads(2, { spawn, stallTimeoutMs: 300 })).toBe(2);
    const v = t([300_000], 40);
    const out = zeros([300_000], 'float32');
    // The caller takes parts too: calls finish without the stuck thread until it has claimed one.
    let error: unknown;
    let started = 0;
    for (let i = 0; i < 1000 && error === undefined; i++) {
      started = performance.now();
      try {
        relu(v, out);
      } catch (err) {
        error = err;
      }
    }
    expect(error).toBeInstanceOf(KernelThreadsError);
    expect(String(error)).toMatch(
      /the kernel threads failed: relu: 1 of its \d+ parts did not finish within 0\.3 s; a kernel thread has stopped \(killed, or out of memory\?\)/,
    );
    expect(performance.now() - started).toBeLessThan(5_000);
    // Every later split call says so too; after stopThreads, one thread runs them again.
    expect(() => relu(v, zeros([300_000], 'float32'))).toThrow(/the kernel threads failed: relu: 1 of its/);
    stopThreads();
    const r = relu(v, zeros([300_000], 'float32'));
    expect(r.data[0]).toBe(Math.max(0, v.data[0]!));
    await expect(startThreads(2, { stallTimeoutMs: 0 })).rejects.toThrow(/stallTimeoutMs must be a number of milliseconds > 0, got 0/);
  });

  it('stop, restart and refuse a bad count', async () => {
    expect(await startThreads(2)).toBe(2);
    stopThreads();
    expect(backendInfo().threads).toEqual({ count: 1, requested: 1 });
    expect(wasmRuntime()!.pool).toBeUndefined();
    expect(await startThreads(1)).toBe(1);
    await expect(startThreads(0)).rejects.toThrow(/whole number from 1 to 64, got 0/);
    await expect(startThreads(MAX_THREADS + 1)).rejects.toThrow(RangeError);
    await expect(startThreads(1.5)).rejects.toThrow(RangeError);
  });
});

describe.runIf(onWasm)('a Node process with kernel threads', () => {
  it('ends by itself when its work is done, without stopThreads (the built package)', () => {
    const dist = (f: string) => fileURLToPath(new URL(`../dist/${f}`, import.meta.url));
    const script = [
      `import { startThreads } from ${JSON.stringify(dist('node.js'))};`,
      `import { backendInfo, matmul, randn, Rng } from ${JSON.stringify(dist('index.js'))};`,
      'const n = await startThreads(2);',
      "const a = randn([400, 256], new Rng(1), { dtype: 'float32' });",
      'const c = matmul(a, a, { transB: true });',
      'console.log(n, c.shape.join("x"), backendInfo().threads.reason ?? "");',
    ].join('\n');
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr).toBe('');
    expect(run.signal).toBeNull();
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe('2 400x400');
  });
});

describe.runIf(!onWasm)('kernel threads on the TypeScript kernels', () => {
  it('are not started, and backendInfo says why', async () => {
    expect(await startThreads(2)).toBe(1);
    expect(backendInfo().threads).toMatchObject({ count: 1, requested: 2, reason: expect.stringMatching(/kernels run in TypeScript/) });
  });
});

describe.runIf(onWasm)('starting kernel threads', () => {
  it('gives up, with the reason, when a thread never says it is ready', async () => {
    vi.useFakeTimers();
    try {
      let ended = 0;
      const silent = startThreads(2, { spawn: () => ({ terminate: () => void ended++ }) });
      await vi.advanceTimersByTimeAsync(20_000);
      expect(await silent).toBe(1);
      expect(backendInfo().threads).toMatchObject({ count: 1, requested: 2, reason: 'the threads could not start: a thread did not start within 20 s' });
      expect(ended).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('reports a thread that fails to start', async () => {
    const failing = startThreads(3, {
      spawn: (_s, _i, _m, onError) => {
        queueMicrotask(() => onError(new Error('no Worker here')));
        return { terminate() {} };
      },
    });
    expect(await failing).toBe(1);
    expect(backendInfo().threads.reason).toBe('the threads could not start: no Worker here');
  });
});
