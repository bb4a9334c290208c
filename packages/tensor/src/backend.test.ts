import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { addBias } from './add-bias.js';
import { backendInfo, getBackend, isKernelPlaced, resetRuntimeForTesting, setBackend, setSimdProbeForTesting } from './backend.js';
import { full, ones, rand, randn, reuse, tensor, toKernel, zeros, zerosLike } from './creation.js';
import { kernelStats, resetKernelStats } from './kernel-stats.js';
import { axpy } from './inplace.js';
import { matmul } from './matmul.js';
import { relu } from './relu.js';
import { softmaxCrossEntropy } from './softmax-cross-entropy.js';
import { Rng } from './rng.js';
import { Tensor } from './tensor.js';
import { expectClose, randomTensor } from './test-support/index.js';

const initial = backendInfo().requested;

afterEach(() => {
  setSimdProbeForTesting(undefined);
  setBackend(initial);
});

describe('setBackend / getBackend / backendInfo', () => {
  it("switch between 'wasm' and 'js' and report the WASM memory once it exists", () => {
    expect(setBackend('js')).toBe('js');
    expect(getBackend()).toBe('js');
    expect(backendInfo()).toMatchObject({ backend: 'js', requested: 'js', wasmSimd: true });
    expect(setBackend('wasm')).toBe('wasm');
    const info = backendInfo();
    expect(info).toMatchObject({ backend: 'wasm', requested: 'wasm', wasmSimd: true });
    expect(info.fallbackReason).toBeUndefined();
    // A shared memory that starts at 32 MiB and may grow to 4 GiB; 4 MiB of it the first scratch.
    expect(info.memory).toMatchObject({ growable: true, maxBytes: 2 ** 32, scratchBytes: 4 << 20 });
    expect(info.memory!.bytes).toBeGreaterThanOrEqual(32 << 20);
    expect(info.memory!.arenaBytes).toBe(info.memory!.bytes - (4 << 20) - 65536);
    expect(info.kernels).toMatchObject({ copies: { calls: expect.any(Number), bytes: expect.any(Number) } });
  });

  it('refuse an unknown backend and memory sizes that cannot work', () => {
    expect(() => setBackend('gpu' as 'js')).toThrow(/unknown backend "gpu"; use 'wasm' or 'js'/);
    expect(() => setBackend('wasm', { memoryBytes: 1000 })).toThrow(/memoryBytes must be a whole number of bytes from 1048576/);
    expect(() => setBackend('wasm', { maxMemoryBytes: 2 ** 33 })).toThrow(/maxMemoryBytes must be a whole number of bytes from 1048576 to 4294967296/);
    expect(() => setBackend('wasm', { memoryBytes: 2 << 20, scratchBytes: 4 << 20 })).toThrow(/scratchBytes .* must leave room/);
    expect(() => setBackend('wasm', { memoryBytes: 8 << 20, maxMemoryBytes: 4 << 20 })).toThrow(
      /maxMemoryBytes \(4194304\) must be at least memoryBytes \(8388608\)/,
    );
  });

  it('refuse to resize the WASM memory once it exists', () => {
    setBackend('wasm');
    expect(() => setBackend('wasm', { memoryBytes: 128 << 20 })).toThrow(/already exists .* cannot be resized/);
    expect(() => setBackend('wasm', { maxMemoryBytes: 128 << 20 })).toThrow(/already exists .* cannot be resized/);
  });
});

describe('without WebAssembly SIMD', () => {
  afterEach(() => {
    setSimdProbeForTesting(undefined);
    resetRuntimeForTesting();
  });

  it("falls back to 'js', says why, and every kernel still works", () => {
    resetRuntimeForTesting();
    setSimdProbeForTesting(() => false);
    expect(setBackend('wasm')).toBe('js');
    expect(backendInfo()).toMatchObject({
      backend: 'js',
      requested: 'wasm',
      wasmSimd: false,
      fallbackReason: 'this JavaScript engine does not support WebAssembly SIMD',
    });
    const t = zeros([10, 10], 'float32', { kernel: true });
    expect(isKernelPlaced(t)).toBe(false);
    expect(t.data.buffer.byteLength).toBe(400);
    expect(toKernel(t)).toBe(t);
    const a = randomTensor([30, 40], 'float32', 1, 'mnist');
    const b = randomTensor([40, 20], 'float32', 2);
    const c = matmul(a, b);
    expect(c.shape).toEqual([30, 20]);
    expect(relu(new Tensor([-1, 2], [2], 'float32')).toArray()).toEqual([0, 2]);
  });
});

describe('memory placement', () => {
  afterEach(() => resetRuntimeForTesting());

  it('the creation functions put float32 data in WASM memory under wasm, unless { kernel: false }', () => {
    setBackend('wasm');
    const t = zeros([3, 5], 'float32', { kernel: true });
    expect(isKernelPlaced(t)).toBe(true);
    expect(Array.from(t.data)).toEqual(new Array(15).fill(0));
    expect(isKernelPlaced(zeros([3, 5], 'float32'))).toBe(true);
    expect(isKernelPlaced(zeros([3, 5], 'float32', { kernel: false }))).toBe(false);
    expect(isKernelPlaced(zeros([3, 5], 'float64', { kernel: true }))).toBe(false);
    expect(isKernelPlaced(zerosLike(t, { kernel: true }))).toBe(true);
    expect(isKernelPlaced(zerosLike(t))).toBe(true);
    expect(isKernelPlaced(zerosLike(t, { kernel: false }))).toBe(false);
    const rng = new Rng(1);
    for (const made of [
      ones([4], 'float32'),
      full([4], 2, 'float32'),
      tensor([1, 2, 3], 'float32'),
      randn([4], rng, { dtype: 'float32' }),
      rand([4], rng, { dtype: 'float32' }),
      reuse(undefined, [4], 'float32'),
    ]) {
      expect(isKernelPlaced(made)).toBe(true);
    }
    expect(Array.from(tensor([1, 2, 3], 'float32').data)).toEqual([1, 2, 3]);
    expect(isKernelPlaced(tensor([1, 2, 3], 'float32', { kernel: false }))).toBe(false);
    expect(isKernelPlaced(randn([4], rng, { dtype: 'float32', kernel: false }))).toBe(false);
    expect(isKernelPlaced(ones([4], 'float64'))).toBe(false);
    // What ops allocate for themselves stays on the JS heap: temporaries.
    expect(isKernelPlaced(relu(t))).toBe(false);
    expect(isKernelPlaced(t.clone())).toBe(false);
    const heap = randomTensor([4, 4], 'float32', 3);
    const placed = toKernel(heap);
    expect(isKernelPlaced(placed)).toBe(true);
    expect(Array.from(placed.data)).toEqual(Array.from(heap.data));
    expect(toKernel(placed)).toBe(placed);
    setBackend('js');
    expect(isKernelPlaced(zeros([3, 5], 'float32', { kernel: true }))).toBe(false);
    expect(isKernelPlaced(zeros([3, 5], 'float32'))).toBe(false);
    // Tensors placed earlier stay valid arrays on any backend.
    expect(relu(t).shape).toEqual([3, 5]);
  });

  it('hands out zeroed memory again after a tensor is garbage-collected', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    resetRuntimeForTesting();
    // A memory that cannot grow past its first 2 MiB.
    setBackend('wasm', { memoryBytes: 2 << 20, maxMemoryBytes: 2 << 20, scratchBytes: 1 << 16 });
    const arenaBytes = backendInfo().memory!.arenaBytes;
    // Ten times the arena, one 256 KiB tensor at a time: only possible if memory comes back.
    for (let i = 0; i < (10 * arenaBytes) / (256 << 10); i++) {
      const t = zeros([64, 1024], 'float32', { kernel: true });
      expect(isKernelPlaced(t)).toBe(true);
      expect(t.data[12345]).toBe(0);
      t.data.fill(7);
      gc();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  });

  it('falls back to ordinary arrays when the memory is full, and to TypeScript when the scratch cannot grow, counting both', () => {
    resetRuntimeForTesting();
    resetKernelStats();
    setBackend('wasm', { memoryBytes: 1 << 20, maxMemoryBytes: 1 << 20, scratchBytes: 1 << 16 });
    const keep: Tensor[] = [];
    for (let i = 0; i < 20; i++) keep.push(zeros([256, 256], 'float32', { kernel: true }));
    const placed = keep.filter((t) => isKernelPlaced(t)).length;
    expect(placed).toBeLessThan(20);
    expect(isKernelPlaced(keep[19]!)).toBe(false);
    expect(backendInfo().memory!.heapFallbacks).toEqual({ 'arena full': 0, 'memory cannot grow': 20 - placed });
    // x·W with x on the JS heap needs 200 KiB of scratch for its copy: more than there is.
    const x = randomTensor([100, 500], 'float32', 4);
    const W = randomTensor([500, 20], 'float32', 5);
    const wasmResult = matmul(x, W);
    expect(kernelStats().kernels.matmul.fallbacks['memory cannot grow']).toBe(1);
    // A kernel that runs in place names the reason its operand is on the heap.
    relu(keep[19]!, keep[19]!);
    expect(kernelStats().kernels.relu.fallbacks['memory cannot grow']).toBe(1);
    setBackend('js');
    expectClose(wasmResult.data, matmul(x, W).data, () => 1e-5);
  });
});

describe('kernels on the wasm backend with kernel-placed tensors', () => {
  it('run in place and agree with the TypeScript kernels', () => {
    setBackend('wasm');
    const h = toKernel(randomTensor([100, 50], 'float32', 6));
    const b = toKernel(randomTensor([50], 'float32', 7));
    const y = zeros([100, 50], 'float32', { kernel: true });
    addBias(h, b, y);
    relu(y, y);
    const s = toKernel(randomTensor([100, 10], 'float32', 8));
    const dx = zeros([100, 10], 'float32', { kernel: true });
    const labels = Int32Array.from({ length: 100 }, (_, i) => i % 10);
    const loss = softmaxCrossEntropy(s, labels, { dx });
    const W = toKernel(randomTensor([50, 10], 'float32', 9));
    axpy(-0.5, toKernel(randomTensor([50, 10], 'float32', 10)), W);
    setBackend('js');
    const yJs = relu(addBias(h, b));
    expect(Array.from(y.data)).toEqual(Array.from(yJs.data));
    const dxJs = zeros([100, 10], 'float32', { kernel: false });
    expect(Math.abs(softmaxCrossEntropy(s, labels, { dx: dxJs }) - loss)).toBeLessThan(1e-12);
    expectClose(dx.data, dxJs.data, () => 1e-9);
  });
});
