import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { addBias } from './add-bias.js';
import { backendInfo, getBackend, isKernelPlaced, resetRuntimeForTesting, setBackend, setSimdProbeForTesting } from './backend.js';
import { toKernel, zeros, zerosLike } from './creation.js';
import { axpy } from './inplace.js';
import { matmul } from './matmul.js';
import { relu } from './relu.js';
import { softmaxCrossEntropy } from './softmax-cross-entropy.js';
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
    expect(info.memory!.bytes).toBe(64 << 20);
    expect(info.memory!.scratchBytes).toBe(16 << 20);
    expect(info.memory!.arenaBytes).toBe((64 << 20) - (16 << 20) - 65536);
  });

  it('refuse an unknown backend and memory sizes that cannot work', () => {
    expect(() => setBackend('gpu' as 'js')).toThrow(/unknown backend "gpu"; use 'wasm' or 'js'/);
    expect(() => setBackend('wasm', { memoryBytes: 1000 })).toThrow(/memoryBytes must be a whole number of bytes >= 1048576/);
    expect(() => setBackend('wasm', { memoryBytes: 2 << 20, scratchBytes: 4 << 20 })).toThrow(/scratchBytes .* must leave room/);
  });

  it('refuse to resize the WASM memory once it exists', () => {
    setBackend('wasm');
    expect(() => setBackend('wasm', { memoryBytes: 128 << 20 })).toThrow(/already exists .* cannot be resized/);
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
    expect(backendInfo()).toMatchObject({ backend: 'js', requested: 'wasm', wasmSimd: false, fallbackReason: 'this JavaScript engine does not support WebAssembly SIMD' });
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

  it('zeros({ kernel: true }) puts float32 data in WASM memory under wasm only', () => {
    setBackend('wasm');
    const t = zeros([3, 5], 'float32', { kernel: true });
    expect(isKernelPlaced(t)).toBe(true);
    expect(Array.from(t.data)).toEqual(new Array(15).fill(0));
    expect(isKernelPlaced(zeros([3, 5], 'float32'))).toBe(false);
    expect(isKernelPlaced(zeros([3, 5], 'float64', { kernel: true }))).toBe(false);
    expect(isKernelPlaced(zerosLike(t, { kernel: true }))).toBe(true);
    const heap = randomTensor([4, 4], 'float32', 3);
    const placed = toKernel(heap);
    expect(isKernelPlaced(placed)).toBe(true);
    expect(Array.from(placed.data)).toEqual(Array.from(heap.data));
    expect(toKernel(placed)).toBe(placed);
    setBackend('js');
    expect(isKernelPlaced(zeros([3, 5], 'float32', { kernel: true }))).toBe(false);
    // Tensors placed earlier stay valid arrays on any backend.
    expect(relu(t).shape).toEqual([3, 5]);
  });

  it('hands out zeroed memory again after a tensor is garbage-collected', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    resetRuntimeForTesting();
    setBackend('wasm', { memoryBytes: 2 << 20, scratchBytes: 1 << 16 });
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

  it('falls back to ordinary arrays when the arena is full, and to TypeScript when the scratch is', () => {
    resetRuntimeForTesting();
    setBackend('wasm', { memoryBytes: 1 << 20, scratchBytes: 1 << 16 });
    const keep: Tensor[] = [];
    for (let i = 0; i < 20; i++) keep.push(zeros([256, 256], 'float32', { kernel: true }));
    expect(keep.filter((t) => isKernelPlaced(t)).length).toBeLessThan(20);
    expect(isKernelPlaced(keep[19]!)).toBe(false);
    // x·W with x on the JS heap needs 200 KiB of scratch for its copy: more than there is.
    const x = randomTensor([100, 500], 'float32', 4);
    const W = randomTensor([500, 20], 'float32', 5);
    const wasmResult = matmul(x, W);
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
    const dxJs = zeros([100, 10], 'float32');
    expect(Math.abs(softmaxCrossEntropy(s, labels, { dx: dxJs }) - loss)).toBeLessThan(1e-12);
    expectClose(dx.data, dxJs.data, () => 1e-9);
  });
});
