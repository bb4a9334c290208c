import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KERNELS_SOURCE_SHA256, KERNELS_STATIC_END, KERNELS_WASM_BASE64 } from './kernels-wasm.js';
import { RESERVED_BYTES, WasmRuntime, wasmSimdSupported } from './runtime.js';

describe('the embedded WASM module', () => {
  it('was compiled from the current assembly/kernels.ts (else run `pnpm build:wasm`)', () => {
    const source = readFileSync(new URL('../../assembly/kernels.ts', import.meta.url), 'utf8').replace(/\r\n/g, '\n');
    expect(createHash('sha256').update(source).digest('hex')).toBe(KERNELS_SOURCE_SHA256);
  });

  it('uses SIMD, imports only its memory and keeps its static data below the reserved bytes', () => {
    const bytes = Uint8Array.from(atob(KERNELS_WASM_BASE64), (ch) => ch.charCodeAt(0));
    const module = new WebAssembly.Module(bytes);
    expect(WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}:${i.kind}`)).toEqual(['env.memory:memory']);
    expect(WebAssembly.Module.exports(module).map((e) => e.name).sort()).toEqual(
      ['addBias', 'axpy', 'gemm', 'gemmSparseA', 'gemmSparseABt', 'gemmSparseAT', 'relu', 'reluBackward', 'softmaxCrossEntropy', 'transpose'].sort(),
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

  it("rests on WebAssembly.validate, which tells a SIMD module from a broken one", () => {
    // The probe's v128 return type replaced by an unknown value type 0x70 ... 0x7a range: invalid.
    const broken = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x6a, 3, 2, 1, 0, 0x0a, 4, 1, 2, 0, 0x0b]);
    expect(WebAssembly.validate(broken)).toBe(false);
  });
});

describe('WasmRuntime', () => {
  it('lays out static data, scratch, then the arena, and never grows its memory', () => {
    const rt = new WasmRuntime({ memoryBytes: 2 << 20, scratchBytes: 256 << 10 });
    expect(rt.scratchStart).toBe(RESERVED_BYTES);
    expect(rt.scratchEnd).toBe(RESERVED_BYTES + (256 << 10));
    expect(rt.arena.start).toBe(rt.scratchEnd);
    expect(rt.arena.end).toBe(2 << 20);
    const v = rt.allocFloat32(1000)!;
    expect(v.buffer).toBe(rt.buffer);
    expect(v.byteOffset).toBeGreaterThanOrEqual(rt.arena.start);
    expect(rt.holds(v)).toBe(true);
    expect(rt.holds(new Float32Array(4))).toBe(false);
    // The arena refuses what does not fit instead of growing (which would detach every view).
    expect(rt.allocFloat32(1 << 20)).toBeUndefined();
    expect(v.length).toBe(1000);
  });

  it('gives scratch as a stack: mark, take, release', () => {
    const rt = new WasmRuntime({ memoryBytes: 2 << 20, scratchBytes: 128 << 10 });
    const mark = rt.mark();
    const a = rt.scratch(100);
    const b = rt.scratch(100);
    expect(b - a).toBe(128);
    expect(rt.scratch(1 << 20)).toBe(-1);
    rt.release(mark);
    expect(rt.scratch(10)).toBe(a);
    // A heap array is copied into scratch; one in WASM memory is used in place.
    const heap = Float32Array.from([1, 2, 3]);
    const at = rt.input(heap);
    expect(Array.from(rt.f32.subarray(at >> 2, (at >> 2) + 3))).toEqual([1, 2, 3]);
    const placed = rt.allocFloat32(3)!;
    expect(rt.input(placed)).toBe(placed.byteOffset);
  });
});
