#!/usr/bin/env node
// Micro-benchmark of the chapter-5 kernels (batch 100, 784-50-10) on both backends, run from
// the built package: `pnpm build && pnpm bench` (options: --rounds N, --json).
//
// Every kernel is timed three ways, interleaved round by round so that a busy machine slows
// all of them alike: 'js' (TypeScript kernels), 'wasm' with every tensor kernel-placed (views of
// WASM memory, no copies) and 'wasm-copy' with ordinary JS-heap tensors (operands copied in and
// results copied out of WASM scratch on each call). A round times a batch of calls; the table
// gives the median per-call time over the rounds, in milliseconds.
import { loadavg } from 'node:os';
import { addBias, axpy, backendInfo, matmul, randn, relu, reluBackward, Rng, setBackend, softmaxCrossEntropy, sum, zeros } from '../dist/index.js';

const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1]) || 41;
const json = args.includes('--json');
const B = 100;
const D = 784;
const H = 50;
const C = 10;

/**
 * MNIST-like input without the data set: each 28×28 "digit" is a ring or a bar of ink around a
 * jittered centre, values in (0, 1], about 80% zeros like real MNIST (whose rows are 80.8% zero).
 */
function digits(rows, rng) {
  const x = new Float32Array(rows * D);
  for (let r = 0; r < rows; r++) {
    const cy = 14 + rng.int(5) - 2;
    const cx = 14 + rng.int(5) - 2;
    const ry = 6 + rng.int(4);
    const rx = 3 + rng.int(4);
    const bar = rng.uniform() < 0.3;
    for (let i = 0; i < 28; i++) {
      for (let j = 0; j < 28; j++) {
        const d = Math.hypot((i - cy) / ry, (j - cx) / rx);
        const ink = bar ? Math.abs(j - cx) < 2 && Math.abs(i - cy) < ry + 2 : Math.abs(d - 1) < 0.35;
        if (ink) x[r * D + i * 28 + j] = 0.2 + 0.8 * rng.uniform();
      }
    }
  }
  return x;
}

/** The chapter-5 tensors, kernel-placed (`kernel`) or on the JS heap. */
function tensors(kernel, seed) {
  const rng = new Rng(seed);
  const make = (shape, fill) => {
    const t = zeros(shape, 'float32', { kernel });
    if (fill) t.data.set(fill);
    return t;
  };
  const x = make([B, D], digits(B, rng));
  const W1 = make([D, H], randn([D, H], rng, { std: 0.01, dtype: 'float32' }).data);
  const b1 = make([H], randn([H], rng, { std: 0.1, dtype: 'float32' }).data);
  const W2 = make([H, C], randn([H, C], rng, { std: 0.1, dtype: 'float32' }).data);
  const b2 = make([C], null);
  const labels = Int32Array.from({ length: B }, () => rng.int(C));
  const h1 = make([B, H], null);
  const y1 = make([B, H], null);
  const s = make([B, C], null);
  const dS = make([B, C], null);
  const dY1 = make([B, H], null);
  const dH1 = make([B, H], null);
  const dW1 = make([D, H], null);
  const db1 = make([H], null);
  const dW2 = make([H, C], null);
  const db2 = make([C], null);
  const dx = make([B, D], null);
  // Realistic backward inputs: a ReLU output (half zeros) and gradients of the right scale.
  matmul(x, W1, { out: h1 });
  addBias(h1, b1, h1);
  relu(h1, y1);
  matmul(y1, W2, { out: s });
  softmaxCrossEntropy(s, labels, { dx: dS });
  matmul(dS, W2, { transB: true, out: dY1 });
  reluBackward(dY1, h1, dH1);
  return { x, W1, b1, W2, b2, labels, h1, y1, s, dS, dY1, dH1, dW1, db1, dW2, db2, dx };
}

/** One SGD step of the two-layer net, every buffer preallocated: what Affine/Relu/SoftmaxWithLoss can do. */
function step(t, withDx) {
  matmul(t.x, t.W1, { out: t.h1 });
  addBias(t.h1, t.b1, t.h1);
  relu(t.h1, t.y1);
  matmul(t.y1, t.W2, { out: t.s });
  addBias(t.s, t.b2, t.s);
  const loss = softmaxCrossEntropy(t.s, t.labels, { dx: t.dS });
  matmul(t.y1, t.dS, { transA: true, out: t.dW2 });
  sum(t.dS, 0, { out: t.db2 });
  matmul(t.dS, t.W2, { transB: true, out: t.dY1 });
  reluBackward(t.dY1, t.h1, t.dH1);
  matmul(t.x, t.dH1, { transA: true, out: t.dW1 });
  sum(t.dH1, 0, { out: t.db1 });
  if (withDx) matmul(t.dH1, t.W1, { transB: true, out: t.dx });
  axpy(-0.1, t.dW1, t.W1);
  axpy(-0.1, t.db1, t.b1);
  axpy(-0.1, t.dW2, t.W2);
  axpy(-0.1, t.db2, t.b2);
  return loss;
}

const KERNELS = [
  ['x·W1        A·B  [100,784]·[784,50]', (t) => matmul(t.x, t.W1, { out: t.h1 })],
  ['h·W2        A·B  [100,50]·[50,10]', (t) => matmul(t.y1, t.W2, { out: t.s })],
  ['dW2=hᵀ·dS   Aᵀ·B [50,100]·[100,10]', (t) => matmul(t.y1, t.dS, { transA: true, out: t.dW2 })],
  ['dh=dS·W2ᵀ   A·Bᵀ [100,10]·[10,50]', (t) => matmul(t.dS, t.W2, { transB: true, out: t.dY1 })],
  ['dW1=xᵀ·dh   Aᵀ·B [784,100]·[100,50]', (t) => matmul(t.x, t.dH1, { transA: true, out: t.dW1 })],
  ['dx=dh·W1ᵀ   A·Bᵀ [100,50]·[50,784]', (t) => matmul(t.dH1, t.W1, { transB: true, out: t.dx })],
  ['addBias     [100,50]+[50]', (t) => addBias(t.h1, t.b1, t.y1)],
  ['relu        [100,50]', (t) => relu(t.h1, t.y1)],
  ['reluBackward [100,50]', (t) => reluBackward(t.dY1, t.h1, t.dH1)],
  ['softmaxCE   [100,10]', (t) => softmaxCrossEntropy(t.s, t.labels, { dx: t.dS })],
  ['axpy W1     [784,50]', (t) => axpy(0, t.dW1, t.W1)],
  ['db = Σ dh   [100,50]→[50]', (t) => sum(t.dH1, 0, { out: t.db1 })],
  ['step without dx (kernels only)', (t) => step(t, false)],
  ['step with dx=dh·W1ᵀ (kernels only)', (t) => step(t, true)],
];

setBackend('wasm');
const info = backendInfo();
if (info.backend !== 'wasm') {
  console.error(`bench-kernels: the wasm backend is not available here (${info.fallbackReason ?? 'unknown reason'})`);
  process.exit(1);
}
const MODES = [
  { name: 'js', backend: 'js', t: tensors(false, 1) },
  { name: 'wasm', backend: 'wasm', t: tensors(true, 1) },
  { name: 'wasm-copy', backend: 'wasm', t: tensors(false, 1) },
];
let zerosInX = 0;
for (const v of MODES[0].t.x.data) if (v === 0) zerosInX++;

/** Calls per timed batch: about 2 ms of work on the slowest backend, at least 5. */
function batchSize(fn, t) {
  setBackend('js');
  for (let i = 0; i < 20; i++) fn(t);
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) fn(t);
  const per = (performance.now() - t0) / 20;
  return Math.max(5, Math.min(2000, Math.round(2 / Math.max(per, 1e-4))));
}

const load = loadavg();
const results = [];
for (const [name, fn] of KERNELS) {
  const n = batchSize(fn, MODES[0].t);
  // Warm up: V8 compiles hot WASM functions with its optimizing tier in the background.
  for (const mode of MODES) {
    setBackend(mode.backend);
    for (let i = 0; i < 5 * n + 200; i++) fn(mode.t);
  }
  const times = MODES.map(() => []);
  for (let r = 0; r < rounds; r++) {
    MODES.forEach((mode, k) => {
      setBackend(mode.backend);
      const t0 = performance.now();
      for (let i = 0; i < n; i++) fn(mode.t);
      times[k].push((performance.now() - t0) / n);
    });
  }
  const med = times.map((ts) => ts.sort((a, b) => a - b)[ts.length >> 1]);
  results.push({ kernel: name.trim(), calls: n, js: med[0], wasm: med[1], wasmCopy: med[2] });
}
setBackend('wasm');

if (json) {
  console.log(JSON.stringify({ rounds, zerosInX: zerosInX / (B * D), loadavg: [load, loadavg()], results }, null, 2));
} else {
  const f = (ms) => ms.toFixed(4).padStart(9);
  console.log(`chapter-5 kernels, median of ${rounds} interleaved rounds, ms per call; x is ${((100 * zerosInX) / (B * D)).toFixed(1)}% zeros`);
  console.log(
    `load average before: ${load.map((l) => l.toFixed(1)).join(' ')}, after: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (other processes slow every column alike)`,
  );
  console.log(`${'kernel'.padEnd(38)}${'js'.padStart(9)}${'wasm'.padStart(9)}${'wasm-copy'.padStart(10)}${'js/wasm'.padStart(9)}`);
  for (const r of results) {
    console.log(`${r.kernel.padEnd(38)}${f(r.js)}${f(r.wasm)} ${f(r.wasmCopy)}${(r.js / r.wasm).toFixed(1).padStart(8)}x`);
  }
}
