import { stopThreads } from '@dlfs/tensor';
import { startThreads } from '@dlfs/tensor/node';
import { afterEach, describe, expect, it } from 'vitest';
import { describeKernels, kernelInfo, startKernelThreads, threadsToAsk } from './kernel-threads.js';

afterEach(() => stopThreads());

describe('the training worker’s kernel threads', () => {
  it('asks for as many threads as cores, at most 4, and 1 where the browser does not say', () => {
    expect([1, 2, 3, 4, 8, 64].map(threadsToAsk)).toEqual([1, 2, 3, 4, 4, 4]);
    expect([undefined, 0, -2, 2.5, Number.NaN].map(threadsToAsk)).toEqual([1, 1, 1, 1, 1]);
  });

  it('starts the threads it asks for where they can run (worker_threads here, a Worker from a Blob in the page)', async () => {
    const k = await startKernelThreads(2, (n) => startThreads(n));
    expect(k).toEqual({ backend: 'wasm', threads: 2, requested: 2 });
    expect(describeKernels(k)).toBe('WASM SIMD, 2 threads');
  });

  it('keeps training on one thread, and says why, when the threads cannot start or one core is all there is', async () => {
    const failed = await startKernelThreads(4, () => Promise.reject(new Error('blocked by the page')));
    expect(failed).toEqual({ backend: 'wasm', threads: 1, requested: 4, reason: 'the threads could not start: blocked by the page' });
    expect(describeKernels(failed)).toBe('WASM SIMD, 1 thread: the threads could not start: blocked by the page');
    expect(describeKernels(await startKernelThreads(1, (n) => startThreads(n)))).toBe('WASM SIMD, 1 thread: the browser reports 1 core');
    expect((await startKernelThreads(undefined, (n) => startThreads(n))).reason).toBe('the browser does not say how many cores it has');
  });

  it('passes on @dlfs/tensor’s reason: a page that is not cross-origin isolated, or the TypeScript kernels', () => {
    const notShared = 'the WASM memory is not shared (SharedArrayBuffer needs a cross-origin-isolated page)';
    const k = kernelInfo({ backend: 'wasm', threads: { count: 1, requested: 2, reason: notShared } });
    expect(k).toEqual({ backend: 'wasm', threads: 1, requested: 2, reason: notShared });
    expect(describeKernels(k)).toBe(`WASM SIMD, 1 thread: ${notShared}`);
    const js = kernelInfo({ backend: 'js', fallbackReason: 'this JavaScript engine does not support WebAssembly SIMD', threads: { count: 1, requested: 1 } });
    expect(describeKernels(js)).toBe('TypeScript, 1 thread: this JavaScript engine does not support WebAssembly SIMD');
    expect(describeKernels({ backend: 'wasm', threads: 4, requested: 4 })).toBe('WASM SIMD, 4 threads');
  });
});
