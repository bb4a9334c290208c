import { describe, expect, it } from 'vitest';
import { ARENA_ALIGN } from './arena.js';
import { KERNELS_STATIC_END, KERNELS_WASM_FIXED_BASE64, KERNELS_WASM_SHARED_BASE64 } from './kernels-wasm.js';
import { DEFAULT_LAYOUT, guidedBoundary, type MemoryLayout, RESERVED_BYTES, WasmRuntime, wasmSimdSupported } from './runtime.js';

const MiB = 1 << 20;

function layout(opts: Partial<MemoryLayout>): MemoryLayout {
  return { ...DEFAULT_LAYOUT, ...opts };
}

/** relu on `len` floats at byte offsets x → y, through the runtime's own kernels. */
function reluAt(rt: WasmRuntime, x: Float32Array, y: Float32Array): void {
  rt.kernels.relu(x.byteOffset, y.byteOffset, x.length);
}

describe('the embedded WASM modules', () => {
  it.each([
    ['shared', KERNELS_WASM_SHARED_BASE64, 'memory'],
    ['fixed', KERNELS_WASM_FIXED_BASE64, 'memory'],
  ])('%s: uses SIMD, imports only its memory and keeps its static data below the reserved bytes', (_name, base64, kind) => {
    const bytes = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
    const module = new WebAssembly.Module(bytes);
    expect(WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}:${i.kind}`)).toEqual([`env.memory:${kind}`]);
    expect(
      WebAssembly.Module.exports(module)
        .map((e) => e.name)
        .sort(),
    ).toEqual(
      [
        'addBias',
        'copyRows',
        'axpy',
        'gemm',
        'gemmColumns',
        'gemmSparseA',
        'gemmSparseABt',
        'gemmSparseAT',
        'gemmSparseATRows',
        'relu',
        'reluBackward',
        'softmaxCrossEntropy',
        'transpose',
        'momentumUpdate',
        'nesterovUpdate',
        'adagradUpdate',
        'rmspropUpdate',
        'adamUpdate',
        'convCols',
        'convColsForward',
        'convFilterGrad',
        'convSumBlocks',
        'convInputGrad',
        'maxPool',
        'maxPoolBackward',
        'batchNormStats',
        'batchNormApply',
        'batchNormBackward',
        'dropoutForward',
        'multiply',
        'scale',
      ].sort(),
    );
    expect(KERNELS_STATIC_END).toBeLessThanOrEqual(RESERVED_BYTES);
    // 0xfd is the prefix of every SIMD instruction; the module is SIMD code.
    expect(bytes.includes(0xfd)).toBe(true);
  });
});

describe('wasmSimdSupported', () => {
  it('is true on Node 20 (V8 has shipped WASM SIMD since Node 16.4)', () => {
    expect(wasmSimdSupported()).toBe(true);
  });

  it('rests on WebAssembly.validate, which tells a SIMD module from a broken one', () => {
    // The probe's v128 return type replaced by an unknown value type 0x70 ... 0x7a range: invalid.
    const broken = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x6a, 3, 2, 1, 0, 0x0a, 4, 1, 2, 0, 0x0b]);
    expect(WebAssembly.validate(broken)).toBe(false);
  });
});

describe('WasmRuntime', () => {
  it('hands out zeros: a reused block is cleared, a fresh one (never handed out) already is', () => {
    for (const shared of [true, false]) {
      const rt = new WasmRuntime(layout({ memoryBytes: 2 * MiB, scratchBytes: 64 << 10, shared }));
      const a = rt.allocFloat32(1000)!;
      a.fill(5);
      // As the finalizer would once `a` is collected.
      rt.arena.free(a.byteOffset);
      const b = rt.allocFloat32(1500)!;
      expect(b.byteOffset).toBe(a.byteOffset);
      expect(b.every((v) => v === 0)).toBe(true);
      // The scratch is written by kernels; when it moves, its old bytes are reused for tensors.
      const oldScratch = rt.scratchStart;
      rt.f32.fill(7, oldScratch >> 2, rt.scratchEnd >> 2);
      expect(rt.ensureScratch(rt.scratchEnd - rt.scratchStart + 4096)).toBe(true);
      const c = rt.allocFloat32(1000)!;
      expect(c.byteOffset).toBe(oldScratch);
      expect(c.every((v) => v === 0)).toBe(true);
    }
  });

  it('lays out static data, then the arena with the scratch as its first block; a fixed memory never grows', () => {
    const rt = new WasmRuntime(layout({ memoryBytes: 2 * MiB, scratchBytes: 256 << 10, shared: false }));
    expect(rt.growable).toBe(false);
    expect(rt.memory.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(rt.arena.start).toBe(RESERVED_BYTES);
    expect(rt.scratchStart).toBe(RESERVED_BYTES);
    expect(rt.scratchEnd).toBe(RESERVED_BYTES + (256 << 10));
    expect(rt.arena.end).toBe(2 * MiB);
    const v = rt.allocFloat32(1000)!;
    expect(v.buffer).toBe(rt.buffer);
    expect(v.byteOffset).toBeGreaterThanOrEqual(rt.scratchEnd);
    expect(rt.holds(v)).toBe(true);
    expect(rt.holds(new Float32Array(4))).toBe(false);
    // The arena refuses what does not fit instead of growing (which would detach every view).
    expect(rt.allocFloat32(1 << 20)).toBeUndefined();
    expect(rt.failure).toBe('arena full');
    expect(rt.bytes).toBe(2 * MiB);
    expect(v.length).toBe(1000);
  });

  it('gives scratch as a stack: mark, take, release', () => {
    const rt = new WasmRuntime(layout({ memoryBytes: 2 * MiB, scratchBytes: 128 << 10 }));
    const mark = rt.mark();
    const a = rt.scratch(100);
    const b = rt.scratch(100);
    expect(b - a).toBe(128);
    expect(rt.scratch(1 << 20)).toBe(-1);
    rt.release(mark);
    expect(rt.scratch(10)).toBe(a);
    rt.release(mark);
    // A heap array is copied into scratch and back.
    const heap = Float32Array.from([1, 2, 3]);
    const at = rt.copyIn(heap);
    expect(Array.from(rt.f32.subarray(at >> 2, (at >> 2) + 3))).toEqual([1, 2, 3]);
    rt.f32[(at >> 2) + 1] = 7;
    rt.copyOut(heap, at);
    expect(Array.from(heap)).toEqual([1, 7, 3]);
  });

  it('grows a shared memory on demand; views made before stay readable, writable and held, and the kernels use them', () => {
    const rt = new WasmRuntime(layout({ memoryBytes: 1 * MiB, maxMemoryBytes: 64 * MiB, scratchBytes: 64 << 10 }));
    expect(rt.growable).toBe(true);
    expect(rt.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    const before = rt.allocFloat32(1000)!;
    before.set(Array.from({ length: 1000 }, (_, i) => i - 500));
    const firstBuffer = rt.buffer;
    // 40 MiB of tensors: far past the first megabyte.
    const big = Array.from({ length: 10 }, () => rt.allocFloat32(1 << 20)!);
    expect(big.every((t) => t !== undefined && rt.holds(t))).toBe(true);
    expect(rt.bytes).toBeGreaterThanOrEqual(41 * MiB);
    expect(rt.bytes).toBeLessThanOrEqual(64 * MiB);
    expect(rt.buffer).not.toBe(firstBuffer);
    // Geometric growth: a handful of buffers, not one per allocation.
    expect(rt.grows).toBeGreaterThan(0);
    expect(rt.grows).toBeLessThanOrEqual(7);
    // The view made first is intact, still held, and both old and new views work with the kernels.
    expect(before.buffer).toBe(firstBuffer);
    expect(before.length).toBe(1000);
    expect(before[0]).toBe(-500);
    expect(before[999]).toBe(499);
    expect(rt.holds(before)).toBe(true);
    const after = rt.allocFloat32(1000)!;
    reluAt(rt, before, after);
    expect(Array.from(after)).toEqual(Array.from(before, (v) => (v <= 0 ? 0 : v)));
    after.fill(-3);
    reluAt(rt, after, before);
    expect(before.every((v) => v === 0)).toBe(true);
    before[5] = 42;
    expect(rt.f32[(before.byteOffset >> 2) + 5]).toBe(42);
    expect(big.every((t) => rt.holds(t))).toBe(true);
  });

  it('stops at the maximum and says the memory cannot grow', () => {
    const rt = new WasmRuntime(layout({ memoryBytes: 1 * MiB, maxMemoryBytes: 4 * MiB, scratchBytes: 64 << 10 }));
    expect(rt.allocFloat32(512 << 10)).toBeDefined();
    expect(rt.allocFloat32(1 << 20)).toBeUndefined();
    expect(rt.failure).toBe('memory cannot grow');
    expect(rt.bytes).toBeLessThanOrEqual(4 * MiB);
    // What still fits is handed out.
    expect(rt.allocFloat32(1000)).toBeDefined();
  });

  it('makes the scratch as large as a call asks, moving it in the arena and growing the memory if need be', () => {
    const rt = new WasmRuntime(layout({ memoryBytes: 1 * MiB, scratchBytes: 64 << 10 }));
    const keep = rt.allocFloat32(1000)!;
    keep.fill(9);
    expect(rt.ensureScratch(32 << 10)).toBe(true);
    expect(rt.scratchEnd - rt.scratchStart).toBe(64 << 10);
    expect(rt.ensureScratch(3 * MiB)).toBe(true);
    expect(rt.scratchEnd - rt.scratchStart).toBeGreaterThanOrEqual(3 * MiB);
    expect(rt.scratchStart % ARENA_ALIGN).toBe(0);
    // The scratch never overlaps a live tensor.
    const k0 = keep.byteOffset;
    expect(k0 + keep.byteLength <= rt.scratchStart || rt.scratchEnd <= k0).toBe(true);
    expect(keep.every((v) => v === 9)).toBe(true);
    const at = rt.scratch(3 * MiB);
    expect(at).toBe(rt.scratchStart);
    rt.release(at);
    // A fixed memory cannot make more scratch than its arena has.
    const fixed = new WasmRuntime(layout({ memoryBytes: 1 * MiB, scratchBytes: 64 << 10, shared: false }));
    expect(fixed.ensureScratch(2 * MiB)).toBe(false);
    expect(fixed.failure).toBe('arena full');
    expect(fixed.scratchEnd - fixed.scratchStart).toBe(64 << 10);
    expect(fixed.ensureScratch(512 << 10)).toBe(true);
  });
});

describe('the shares of a split call (guidedBoundary)', () => {
  const shares = (count: number, parts: number): number[] =>
    Array.from({ length: parts }, (_, p) => guidedBoundary(count, parts, p + 1) - guidedBoundary(count, parts, p));

  it('cover every unit once, in order, the largest first and the last about half the mean', () => {
    expect(shares(100, 8)).toEqual([19, 17, 15, 13, 12, 10, 8, 6]);
    expect(shares(1000, 8)).toEqual([188, 169, 152, 134, 116, 98, 81, 62]);
    for (const [count, parts] of [
      [100, 8],
      [13, 8],
      [270, 16],
      [7, 2],
      [1, 1],
      [5, 8],
      [64, 64],
    ] as const) {
      const s = shares(count, parts);
      expect(
        s.reduce((a, b) => a + b),
        `${count} in ${parts}`,
      ).toBe(count);
      expect(s.every((n) => n >= 0)).toBe(true);
      // Every part gets a unit when there are enough; the first never less than the last.
      if (count >= parts) expect(s.every((n) => n >= 1)).toBe(true);
      expect(s[0]!).toBeGreaterThanOrEqual(s.at(-1)!);
    }
  });
});
