import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { addBias } from './add-bias.js';
import { backendInfo, isKernelPlaced, resetRuntimeForTesting, setBackend } from './backend.js';
import { toKernel, zeros } from './creation.js';
import { kernelStats, type KernelStats, resetKernelStats } from './kernel-stats.js';
import { matmul } from './matmul.js';
import { relu } from './relu.js';
import { softmaxCrossEntropy } from './softmax-cross-entropy.js';
import type { DType, Tensor } from './tensor.js';
import { expectClose, expectSameValues, place, type Placement, randomTensor, seedArb, withBackend } from './test-support/index.js';

const initial = backendInfo().requested;
const MiB = 1 << 20;

afterEach(() => {
  resetRuntimeForTesting();
  setBackend(initial);
});

/** relu's counts after a reset and one call. */
function reluCounts(x: Tensor, out: Tensor): KernelStats {
  resetKernelStats();
  relu(x, out);
  return kernelStats().kernels.relu;
}

describe('kernel counters', () => {
  it('count a WASM run, a fallback with its reason, a small run, a float64 run and a js-backend run apart', () => {
    setBackend('wasm');
    const placed = zeros([300], 'float32');
    const out = zeros([300], 'float32');
    expect(reluCounts(placed, out)).toMatchObject({ wasm: 1, reference: 0 });
    const heap = zeros([300], 'float32', { kernel: false });
    expect(reluCounts(heap, out)).toMatchObject({ wasm: 0, reference: 1, fallbacks: { 'operand on the JS heap': 1 } });
    expect(reluCounts(placed, heap)).toMatchObject({ wasm: 0, reference: 1, fallbacks: { 'operand on the JS heap': 1 } });
    expect(reluCounts(zeros([100], 'float32'), zeros([100], 'float32'))).toMatchObject({ wasm: 0, reference: 1, small: 1 });
    expect(reluCounts(zeros([300], 'float64'), zeros([300], 'float64'))).toMatchObject({ reference: 1, float64: 1 });
    setBackend('js');
    expect(reluCounts(placed, out)).toMatchObject({ wasm: 0, reference: 1, jsBackend: 1 });
    // Only reasons that happened are listed.
    expect(reluCounts(placed, out).fallbacks).toEqual({});
  });

  it("count matmul's Aᵀ·Bᵀ as a form the WASM kernels do not support", () => {
    setBackend('wasm');
    resetKernelStats();
    matmul(zeros([40, 30], 'float32'), zeros([20, 40], 'float32'), { transA: true, transB: true, out: zeros([30, 20], 'float32') });
    expect(kernelStats().kernels.matmul).toMatchObject({ wasm: 0, reference: 1, fallbacks: { 'form not supported': 1 } });
  });

  it('count the copies of a copy kernel: calls, and bytes in and out', () => {
    setBackend('wasm');
    const x = randomTensor([100, 50], 'float32', 1);
    const W = toKernel(randomTensor([50, 20], 'float32', 2));
    resetKernelStats();
    matmul(x, W, { out: zeros([100, 20], 'float32') });
    expect(kernelStats().kernels.matmul).toMatchObject({ wasm: 1, reference: 0, copies: { calls: 1, bytes: 100 * 50 * 4 } });
    matmul(toKernel(x), W, { out: zeros([100, 20], 'float32') });
    expect(kernelStats().kernels.matmul.copies).toEqual({ calls: 1, bytes: 100 * 50 * 4 });
    matmul(x, W);
    expect(kernelStats().kernels.matmul).toMatchObject({ wasm: 3, copies: { calls: 2, bytes: 2 * 100 * 50 * 4 + 100 * 20 * 4 } });
  });

  it('are a snapshot, add up in backendInfo(), and go back to zero with resetKernelStats', () => {
    setBackend('wasm');
    resetKernelStats();
    relu(zeros([300], 'float32'), zeros([300], 'float32'));
    addBias(zeros([10, 30], 'float32'), zeros([30], 'float32'), zeros([10, 30], 'float32'));
    const stats = kernelStats();
    expect(stats.backend).toBe('wasm');
    stats.kernels.relu.wasm = 99;
    expect(kernelStats().kernels.relu.wasm).toBe(1);
    expect(backendInfo().kernels).toMatchObject({ wasm: 2, reference: 0 });
    resetKernelStats();
    expect(Object.values(kernelStats().kernels).every((s) => s.wasm === 0 && s.reference === 0 && s.copies.calls === 0)).toBe(true);
  });

  it('follow the placement rules: one count per call, in the category the operands decide', () => {
    setBackend('wasm');
    fc.assert(
      fc.property(
        fc.constantFrom('addBias', 'softmaxCrossEntropy'),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 20 }),
        fc.constantFrom<DType>('float32', 'float32', 'float32', 'float64'),
        fc.array(fc.constantFrom<Placement>('kernel', 'heap'), { minLength: 3, maxLength: 3 }),
        fc.constantFrom<'wasm' | 'js'>('wasm', 'wasm', 'js'),
        seedArb,
        (op, rows, cols, dtype, where, backend, seed) => {
          const x = place(randomTensor([rows, cols], dtype, seed), where[0]!);
          const b = place(randomTensor([cols], dtype, seed + 1), where[1]!);
          const out = place(randomTensor([rows, cols], dtype, seed + 2), where[2]!);
          resetKernelStats();
          withBackend(backend, () => {
            if (op === 'addBias') addBias(x, b, out);
            else
              softmaxCrossEntropy(
                x,
                Int32Array.from({ length: rows }, (_, r) => r % cols),
                { dx: out },
              );
          });
          const s = kernelStats().kernels[op];
          const copyKernel = op === 'softmaxCrossEntropy';
          const heap = where[0] === 'heap' || where[2] === 'heap' || (!copyKernel && where[1] === 'heap');
          const expected =
            backend === 'js' ? 'jsBackend' : dtype === 'float64' ? 'float64' : rows * cols < 256 ? 'small' : heap && !copyKernel ? 'fallback' : 'wasm';
          expect(s.wasm + s.reference).toBe(1);
          expect(s.wasm).toBe(expected === 'wasm' ? 1 : 0);
          expect(s.jsBackend).toBe(expected === 'jsBackend' ? 1 : 0);
          expect(s.float64).toBe(expected === 'float64' ? 1 : 0);
          expect(s.small).toBe(expected === 'small' ? 1 : 0);
          expect(s.fallbacks).toEqual(expected === 'fallback' ? { 'operand on the JS heap': 1 } : {});
          expect(s.copies.calls).toBe(expected === 'wasm' && copyKernel && heap ? 1 : 0);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('a growable memory', () => {
  it('grows for new tensors; tensors made before stay placed, readable and writable by the kernels', () => {
    resetRuntimeForTesting();
    setBackend('wasm', { memoryBytes: 1 * MiB, scratchBytes: 1 << 16 });
    const early = zeros([1000], 'float32');
    early.data.set(randomTensor([1000], 'float32', 3).data);
    const before = Array.from(early.data);
    const keep = Array.from({ length: 12 }, () => zeros([256, 1024], 'float32'));
    const info = backendInfo().memory!;
    expect(info.growable).toBe(true);
    expect(info.grows).toBeGreaterThan(0);
    expect(info.bytes).toBeGreaterThanOrEqual(13 * MiB);
    expect(info.heapFallbacks).toEqual({ 'arena full': 0, 'memory cannot grow': 0 });
    expect(keep.every((t) => isKernelPlaced(t))).toBe(true);
    expect(isKernelPlaced(early)).toBe(true);
    expectSameValues(early.data, before);
    const late = zeros([1000], 'float32');
    resetKernelStats();
    relu(early, late);
    relu(late, early);
    expect(kernelStats().kernels.relu).toMatchObject({ wasm: 2, reference: 0 });
    expectSameValues(
      early.data,
      before.map((v) => (v <= 0 ? 0 : v)),
    );
  });

  it('runs an operand bigger than the first scratch in WASM: the scratch grows', () => {
    resetRuntimeForTesting();
    setBackend('wasm', { memoryBytes: 2 * MiB, scratchBytes: 1 << 16 });
    // 200 × 784 floats on the JS heap: a 627 KB copy, ten times the first scratch.
    const x = randomTensor([200, 784], 'float32', 4, 'mnist');
    const W = zeros([784, 30], 'float32');
    W.data.set(randomTensor([784, 30], 'float32', 5).data);
    resetKernelStats();
    const h = matmul(x, W);
    const s = kernelStats().kernels.matmul;
    expect(s).toMatchObject({ wasm: 1, reference: 0, copies: { calls: 1 } });
    expect(s.fallbacks).toEqual({});
    expect(backendInfo().memory!.scratchBytes).toBeGreaterThanOrEqual(200 * 784 * 4);
    const js = withBackend('js', () => matmul(x, W));
    expectClose(h.data, js.data, () => 1e-5);
  });
});

describe('a fixed memory (forced, as on a page that is not cross-origin isolated)', () => {
  it('gives JS-heap arrays when its arena is full and falls back to TypeScript for them, counting both', () => {
    resetRuntimeForTesting({ shared: false });
    setBackend('wasm', { memoryBytes: 2 * MiB, scratchBytes: 1 << 16 });
    const info = backendInfo().memory!;
    expect(info.growable).toBe(false);
    expect(info.bytes).toBe(2 * MiB);
    const keep = Array.from({ length: 12 }, () => zeros([256, 256], 'float32'));
    const placed = keep.filter((t) => isKernelPlaced(t)).length;
    expect(placed).toBeGreaterThan(0);
    expect(placed).toBeLessThan(12);
    expect(backendInfo().memory!.heapFallbacks).toEqual({ 'arena full': 12 - placed, 'memory cannot grow': 0 });
    expect(backendInfo().memory!.bytes).toBe(2 * MiB);
    const full = keep[11]!;
    full.data.set(randomTensor([256, 256], 'float32', 6).data);
    resetKernelStats();
    relu(full, full);
    expect(kernelStats().kernels.relu).toMatchObject({ wasm: 0, reference: 1, fallbacks: { 'arena full': 1 } });
    // A copy kernel whose scratch cannot grow in the full arena runs in TypeScript, and says why.
    const x = randomTensor([100, 784], 'float32', 7);
    const W = randomTensor([784, 10], 'float32', 8);
    const h = matmul(x, W);
    expect(kernelStats().kernels.matmul.fallbacks['arena full']).toBe(1);
    expectClose(h.data, withBackend('js', () => matmul(x, W)).data, () => 1e-5);
  });
});
